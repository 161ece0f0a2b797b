/**
 * Connects to the MongoDB source with the configured timeout, delay and attempts, logging each
 * retry. Failing to connect at the start is a pre-flight failure (nothing has been written);
 * errors no retry can fix (authentication, authorisation) stop at once.
 */
import { MongoClient, MongoServerError, type Db } from 'mongodb';
import type { Config } from '../config/load.js';
import { PreflightError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { attemptText, giveUpBy, retry } from '../util/retry.js';
import { SOURCE_BSON_OPTIONS } from './source-db.js';

export interface Source {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/** AuthenticationFailed (18), Unauthorized (13): the same credentials will fail again. */
const PERMANENT_CODES = new Set([13, 18]);

export function isPermanentMongoError(err: unknown): boolean {
  return err instanceof MongoServerError && typeof err.code === 'number' && PERMANENT_CODES.has(err.code);
}

function newClient(config: Config, serverSelectionTimeoutMS: number): MongoClient {
  const { mongo } = config;
  return new MongoClient(mongo.dsn, {
    minPoolSize: mongo.minPoolSize,
    maxPoolSize: mongo.maxPoolSize,
    maxConnecting: mongo.maxConnecting,
    readPreference: mongo.readPreference,
    connectTimeoutMS: mongo.connectionTimeout,
    // A server that stops answering (frozen, partitioned) fails the read instead of hanging it (issue 13, D12).
    socketTimeoutMS: mongo.socketTimeout,
    serverSelectionTimeoutMS,
    // Large values are kept exact: int64 as Long, never a lossy JS number.
    ...SOURCE_BSON_OPTIONS,
  });
}

/**
 * Once connected, an operation that finds the server gone (a restart, a failover) waits for it as
 * long as the connection settings allow in total (timeout × attempts plus the delays), instead of
 * failing after one attempt's timeout. Bulk ranges also resume from their watermarks on their own.
 */
export function runServerSelectionTimeout(config: Config): number {
  const { mongo } = config;
  return mongo.connectionTimeout * mongo.connectionAttempts + mongo.connectionDelay * Math.max(0, mongo.connectionAttempts - 1);
}

export async function connectSource(config: Config, logger: Logger, signal?: AbortSignal): Promise<Source> {
  const { mongo } = config;
  // Each attempt is bounded by the connection timeout, so retries are logged as configured.
  const client = newClient(config, mongo.connectionTimeout);
  let attempts = 0;
  const timing = { attempts: mongo.connectionAttempts, delayMs: mongo.connectionDelay, timeoutMs: mongo.connectionTimeout };
  let giveUp = new Date(Date.now() + mongo.connectionAttempts * mongo.connectionTimeout + (mongo.connectionAttempts - 1) * mongo.connectionDelay);
  try {
    await retry(
      async (attempt) => {
        attempts = attempt;
        await client.connect();
        await client.db(mongo.db).command({ ping: 1 });
      },
      {
        attempts: mongo.connectionAttempts,
        delayMs: mongo.connectionDelay,
        ...(signal ? { signal } : {}),
        retryable: (err) => !isPermanentMongoError(err),
        onRetry: (attempt, err) => {
          giveUp = giveUpBy(Date.now(), attempt, timing);
          logger.warn(`MongoDB not reachable (${attemptText(attempt, mongo.connectionAttempts, giveUp)}), retrying`, { attempt, attempts: mongo.connectionAttempts, give_up_by: giveUp.toISOString(), delay_ms: mongo.connectionDelay, timeout_ms: mongo.connectionTimeout, error: errorMessage(err) });
        },
        // An attempt longer than the progress interval (a long connection timeout) still shows a line.
        heartbeat: { everyMs: config.progress.interval, beat: (attempt) => logger.info(`MongoDB: still connecting (${attemptText(attempt, mongo.connectionAttempts, giveUp)})`, { attempt, attempts: mongo.connectionAttempts, give_up_by: giveUp.toISOString() }) },
      },
    );
  } catch (err) {
    await client.close().catch(() => undefined);
    if (signal?.aborted) throw signal.reason;
    const message = isPermanentMongoError(err)
      ? `MongoDB refused the connection (not retried): ${errorMessage(err)}`
      : `MongoDB is not reachable: ${attempts} connection attempt(s) failed (timeout ${mongo.connectionTimeout}ms, delay ${mongo.connectionDelay}ms); last error: ${errorMessage(err)}`;
    throw new PreflightError('mongo-reachable', message, { cause: err, context: { check: 'mongo-reachable', attempts } });
  }
  // The server is reachable: the client the run uses waits longer for it (see above).
  await client.close();
  const runClient = newClient(config, runServerSelectionTimeout(config));
  try {
    await runClient.connect();
  } catch (err) {
    await runClient.close().catch(() => undefined);
    throw new PreflightError('mongo-reachable', `MongoDB went away right after answering: ${errorMessage(err)}`, { cause: err, context: { check: 'mongo-reachable', attempts } });
  }
  logger.info('connected to MongoDB', { database: mongo.db, attempts });
  return { client: runClient, db: runClient.db(mongo.db), close: () => runClient.close() };
}
