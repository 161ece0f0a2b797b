/**
 * PostgreSQL pool, connected with the configured timeout, delay and attempts, logging each
 * retry. Failing to connect at the start is a pre-flight failure (nothing has been written);
 * errors no retry can fix (wrong password, no such database, no CONNECT privilege) stop at once.
 */
import pg from 'pg';
import type { Config } from '../config/load.js';
import { PreflightError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { attemptText, giveUpBy, retry } from '../util/retry.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** SQLSTATE class 28 (authorization), 3D000 (no such database), 42501 (no CONNECT privilege). */
export function isPermanentPgError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('28') || code === '3D000' || code === '42501');
}

/** SQLSTATEs of a session the server ended (57P01 admin shutdown, e.g. pg_terminate_backend; 57P02 crash; 57P03 starting up) and socket errors. */
const LOST_SESSION_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/**
 * Whether the error is the loss of a PostgreSQL session (terminated, restarted, network), so the
 * same read on a new session may succeed: class 08 (connection exception), the codes above, or
 * the code-less plain Error pg raises for a connection that ended ("Connection terminated",
 * "not queryable"). A statement error always carries its SQLSTATE and is not retried.
 */
export function isTransientSinkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code.startsWith('08') || LOST_SESSION_CODES.has(code);
  return Object.getPrototypeOf(err) === Error.prototype;
}

export async function connectSink(config: Config, logger: Logger, signal?: AbortSignal): Promise<Pool> {
  const { postgres } = config;
  const pool = new pg.Pool({
    connectionString: postgres.url,
    connectionTimeoutMillis: postgres.connectionTimeout,
    max: Math.max(config.convert.workers, config.convert.bulkParallel) + 2,
    application_name: 'mongo2pg',
    // Client-side: a server that stops answering cannot enforce its own statement_timeout (issue 13, D12).
    ...(postgres.statementTimeout > 0 ? { query_timeout: postgres.statementTimeout } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', (err) => logger.warn('PostgreSQL idle connection error', { error: errorMessage(err) }));
  let attempts = 0;
  const timing = { attempts: postgres.connectionAttempts, delayMs: postgres.connectionDelay, timeoutMs: postgres.connectionTimeout };
  let giveUp = new Date(Date.now() + postgres.connectionAttempts * postgres.connectionTimeout + (postgres.connectionAttempts - 1) * postgres.connectionDelay);
  try {
    await retry(
      async (attempt) => {
        attempts = attempt;
        return (await pool.query('SELECT 1')).rowCount;
      },
      {
        attempts: postgres.connectionAttempts,
        delayMs: postgres.connectionDelay,
        ...(signal ? { signal } : {}),
        retryable: (err) => !isPermanentPgError(err),
        onRetry: (attempt, err) => {
          giveUp = giveUpBy(Date.now(), attempt, timing);
          logger.warn(`PostgreSQL not reachable (${attemptText(attempt, postgres.connectionAttempts, giveUp)}), retrying`, { attempt, attempts: postgres.connectionAttempts, give_up_by: giveUp.toISOString(), delay_ms: postgres.connectionDelay, timeout_ms: postgres.connectionTimeout, error: errorMessage(err) });
        },
        // An attempt longer than the progress interval (a long connection timeout) still shows a line.
        heartbeat: { everyMs: config.progress.interval, beat: (attempt) => logger.info(`PostgreSQL: still connecting (${attemptText(attempt, postgres.connectionAttempts, giveUp)})`, { attempt, attempts: postgres.connectionAttempts, give_up_by: giveUp.toISOString() }) },
      },
    );
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (signal?.aborted) throw signal.reason;
    const message = isPermanentPgError(err)
      ? `PostgreSQL refused the connection (not retried): ${errorMessage(err)}`
      : `PostgreSQL is not reachable: ${attempts} connection attempt(s) failed (timeout ${postgres.connectionTimeout}ms, delay ${postgres.connectionDelay}ms); last error: ${errorMessage(err)}`;
    throw new PreflightError('postgres-reachable', message, { cause: err, context: { check: 'postgres-reachable', attempts } });
  }
  logger.info('connected to PostgreSQL', { attempts });
  return pool;
}

/**
 * A client taken from the pool, safe to keep out. While it is out, a client has no 'error'
 * listener of the pool's, and a connection PostgreSQL ends meanwhile (pg_terminate_backend, a
 * restart, a failover) emits 'error' on it: with nobody listening, that ends the process. Here the
 * event is only noted. The query in progress fails, which is what callers handle, and release()
 * then discards the lost connection instead of pooling it again. When the socket's end comes only
 * after the release (the server's FATAL message fails the query first), the pool's own idle
 * listener removes the client and the pool's 'error' handler (connectSink's) reports it.
 */
export async function checkout(pool: Pool): Promise<PoolClient> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error): void => {
    lost = err;
  };
  client.on('error', onError);
  const release = client.release;
  client.release = (err?: Error | boolean) => {
    client.off('error', onError);
    client.release = release;
    release(err ?? lost);
  };
  return client;
}

/** Runs fn in a transaction on one client; rolls back on any error. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await checkout(pool);
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
