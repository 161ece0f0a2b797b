/** PostgreSQL pool, connected with the configured timeout, delay and attempts. */
import pg from 'pg';
import type { Config } from '../config/load.js';
import { SinkError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { retry } from '../util/retry.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export async function connectSink(config: Config, logger: Logger, signal?: AbortSignal): Promise<Pool> {
  const { postgres } = config;
  const pool = new pg.Pool({
    connectionString: postgres.url,
    connectionTimeoutMillis: postgres.connectionTimeout,
    max: Math.max(config.convert.workers, config.convert.bulkParallel) + 2,
    application_name: 'mongo2pg',
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', (err) => logger.warn('PostgreSQL idle connection error', { error: errorMessage(err) }));
  try {
    await retry(async () => (await pool.query('SELECT 1')).rowCount, {
      attempts: postgres.connectionAttempts,
      delayMs: postgres.connectionDelay,
      ...(signal ? { signal } : {}),
      onRetry: (attempt, err) =>
        logger.warn('PostgreSQL not reachable, retrying', { attempt, attempts: postgres.connectionAttempts, delay_ms: postgres.connectionDelay, error: errorMessage(err) }),
    });
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new SinkError('SINK_UNAVAILABLE', `cannot connect to PostgreSQL after ${postgres.connectionAttempts} attempt(s): ${errorMessage(err)}`, { cause: err });
  }
  logger.info('connected to PostgreSQL');
  return pool;
}

/** Runs fn in a transaction on one client; rolls back on any error. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
