/** Builds an engine context for in-process tests: real databases, real config loader. */
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { SOURCE_BSON_OPTIONS } from '../../app/source/source-db.js';
import winston from 'winston';
import { loadConfig, type Config } from '../../app/config/load.js';
import type { EngineContext } from '../../app/engine/context.js';
import { KnownIds } from '../../app/engine/integrity.js';
import { redactor } from '../../app/log/redact.js';
import { MASTER_PASSWORD } from './cli.js';

export interface TestEngine {
  ctx: EngineContext;
  config: Config;
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function testEngine(db: { pgUrl: string; mongoUrl: string; mongoDb: string }, flags: Record<string, string>): Promise<TestEngine> {
  const { config } = loadConfig(new Map(Object.entries({
    mongo_dsn: db.mongoUrl, mongo_db: db.mongoDb, postgres_url: db.pgUrl, credentials_master_password: MASTER_PASSWORD, ...flags,
  })), {});
  const client = new MongoClient(db.mongoUrl, SOURCE_BSON_OPTIONS);
  await client.connect();
  const pool = new pg.Pool({ connectionString: db.pgUrl, max: 6 });
  // An idle client ended by the test's forced database drop must not crash the test process
  // (the program itself handles this in app/sink/postgres.ts).
  pool.on('error', () => undefined);
  const logger = winston.createLogger({ silent: true });
  const ctx: EngineContext = { config, db: client.db(db.mongoDb), pool, logger, redact: redactor(config.secrets), signal: new AbortController().signal, known: new KnownIds() };
  return { ctx, config, pool, close: async () => { await pool.end(); await client.close(); } };
}
