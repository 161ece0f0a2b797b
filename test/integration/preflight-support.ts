/** Shared by the preflight-* integration tests: configuration, connections, a log to inspect, the target's shape. */
import { MongoClient, type Db } from 'mongodb';
import pg from 'pg';
import winston from 'winston';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../app/config/load.js';
import { generateFixtures, FIXTURE_MASTER_PASSWORD } from '../fixtures/generate.js';
import type { TestDatabases } from '../harness/index.js';

export { FIXTURE_MASTER_PASSWORD };

/** Small enough to generate in a moment, with credentials in every organisation. */
export const SMALL_WORLD = {
  seed: 11, orgs: 2, envsPerOrg: 1, usersPerOrg: 2, agentsPerOrg: 1, workflowsPerEnv: 1, executionsPerEnv: 2,
  recordsPerScope: 6, aiSessionsPerOrg: 1, toolCallsPerSession: 1, paymentsPerOrg: 1,
  usageRecords: 30, auditEvents: 5, applicationAuditEvents: 5, events: 5, reportingData: 5, messiness: 0,
};

export function testConfig(db: TestDatabases, env: Record<string, string> = {}): Config {
  return loadConfig(new Map(), {
    API_MONGO_DSN: db.mongoUrl,
    API_MONGO_DB: db.mongoDb,
    API_POSTGRES_URL: db.pgUrl,
    CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD,
    API_MONGO_CONNECTION_ATTEMPTS: '2',
    API_MONGO_CONNECTION_DELAY: '100ms',
    API_POSTGRES_CONNECTION_ATTEMPTS: '2',
    API_POSTGRES_CONNECTION_DELAY: '100ms',
    ...env,
  }).config;
}

export interface Captured {
  logger: winston.Logger;
  /** Every log entry so far, parsed. */
  entries(): Array<Record<string, unknown>>;
  text(): string;
}

export function captureLogger(): Captured {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  const text = (): string => chunks.join('');
  return { logger, text, entries: () => text().split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export interface Connections {
  mongo: MongoClient;
  source: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function connect(db: TestDatabases, pgUrl = db.pgUrl): Promise<Connections> {
  const mongo = await MongoClient.connect(db.mongoUrl);
  const pool = new pg.Pool({ connectionString: pgUrl, max: 2 });
  // As in the app (app/sink/postgres.ts): an idle client whose backend is ended (the harness drops
  // databases WITH (FORCE)) must not become an uncaught exception of the test process.
  pool.on('error', () => undefined);
  return { mongo, source: mongo.db(db.mongoDb), pool, close: async () => Promise.all([mongo.close(), pool.end()]).then(() => undefined) };
}

export async function generateSmallWorld(source: Db, masterPassword = FIXTURE_MASTER_PASSWORD): Promise<void> {
  await generateFixtures(source, { ...SMALL_WORLD, credentialsMasterPassword: masterPassword });
}

/**
 * Every schema, relation and row count of the target outside the system catalogs: two equal
 * snapshots mean nothing was created, dropped or written.
 */
export async function targetSnapshot(pgUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    const { rows: relations } = await client.query<{ schema: string; name: string; kind: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
        ORDER BY 1, 2`,
    );
    const { rows: schemas } = await client.query<{ name: string }>(`SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND nspname <> 'information_schema' ORDER BY 1`);
    const lines = [`schemas: ${schemas.map((s) => s.name).join(',')}`];
    for (const r of relations) {
      if (r.kind === 'r' || r.kind === 'p') {
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(r.schema)}.${pg.escapeIdentifier(r.name)}`);
        lines.push(`${r.schema}.${r.name} (${r.kind}) rows=${rows[0]?.n}`);
      } else {
        lines.push(`${r.schema}.${r.name} (${r.kind})`);
      }
    }
    return lines.join('\n');
  } finally {
    await client.end();
  }
}
