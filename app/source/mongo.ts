/** Connects to the MongoDB source with the configured timeout, delay and attempts. */
import { MongoClient, type Db } from 'mongodb';
import type { Config } from '../config/load.js';
import { SourceError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { retry } from '../util/retry.js';

export interface Source {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export async function connectSource(config: Config, logger: Logger, signal?: AbortSignal): Promise<Source> {
  const { mongo } = config;
  const client = new MongoClient(mongo.dsn, {
    minPoolSize: mongo.minPoolSize,
    maxPoolSize: mongo.maxPoolSize,
    maxConnecting: mongo.maxConnecting,
    readPreference: mongo.readPreference,
    connectTimeoutMS: mongo.connectionTimeout,
    serverSelectionTimeoutMS: mongo.connectionTimeout,
    // Large values are kept exact: int64 as Long, never a lossy JS number.
    promoteLongs: false,
  });
  try {
    await retry(
      async () => {
        await client.connect();
        await client.db(mongo.db).command({ ping: 1 });
      },
      {
        attempts: mongo.connectionAttempts,
        delayMs: mongo.connectionDelay,
        ...(signal ? { signal } : {}),
        onRetry: (attempt, err) =>
          logger.warn('MongoDB not reachable, retrying', { attempt, attempts: mongo.connectionAttempts, delay_ms: mongo.connectionDelay, error: errorMessage(err) }),
      },
    );
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new SourceError('SOURCE_UNAVAILABLE', `cannot connect to MongoDB after ${mongo.connectionAttempts} attempt(s): ${errorMessage(err)}`, { cause: err });
  }
  logger.info('connected to MongoDB', { database: mongo.db });
  return { client, db: client.db(mongo.db), close: () => client.close() };
}
