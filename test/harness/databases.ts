// A private PostgreSQL database and MongoDB database per test, on the servers the test
// runner started (it exports their URLs), so test files can run in parallel and leave
// nothing behind.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { MONGO_URL_ENV } from './mongo.js';
import { PG_URL_ENV } from './postgres.js';

export interface TestDatabases {
  /** URL of a fresh, empty PostgreSQL database (same credentials as the server URL). */
  readonly pgUrl: string;
  /** URL of the MongoDB server; the database is `mongoDb` (the app takes them apart too). */
  readonly mongoUrl: string;
  /** A MongoDB database name no other test uses; it does not exist until written to. */
  readonly mongoDb: string;
  /** Drops both databases; safe to call more than once. */
  cleanup(): Promise<void>;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run integration tests through \`npm test\` (scripts/test.ts), or start the services with \`npx tsx scripts/services.ts\` and export the variables it prints`);
  }
  return value;
}

/**
 * Unique, valid in both systems: PostgreSQL identifiers are at most 63 bytes and
 * FerretDB accepts only [a-zA-Z0-9_-] in database names, so the label is reduced to
 * that and cut short before the random suffix.
 */
export function uniqueDatabaseName(label: string): string {
  const clean = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 36) || 'test';
  return `t_${clean}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** How long cleanup waits for the database's sessions to end before it ends them itself. */
const SESSIONS_GONE_WAIT_MS = 5_000;

export async function createTestDatabases(label: string): Promise<TestDatabases> {
  const pgServerUrl = requireEnv(PG_URL_ENV);
  const mongoUrl = requireEnv(MONGO_URL_ENV);
  const name = uniqueDatabaseName(label);
  // The name is built from [a-z0-9_] only, so quoting it as an identifier is enough.
  await withPgClient(pgServerUrl, (client) => client.query(`create database "${name}"`));

  let cleaned = false;
  return {
    pgUrl: withDatabase(pgServerUrl, name),
    mongoUrl,
    mongoDb: name,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      const dropPg = withPgClient(pgServerUrl, async (client) => {
        // pg-pool's end() resolves before its clients' sockets are closed: a session still closing
        // that the FORCE below terminates reaches the test's pool as an unheard 'error' (an
        // uncaught exception in the test process). So wait a little for the sessions to go.
        for (let waited = 0; waited < SESSIONS_GONE_WAIT_MS; waited += 100) {
          const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
          if (rows[0]?.n === 0) break;
          await sleep(100);
        }
        // WITH (FORCE) (PostgreSQL 13+) ends connections a failed test left open.
        await client.query(`drop database if exists "${name}" with (force)`);
      });
      const dropMongo = (async () => {
        const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000 });
        try {
          await client.db(name).dropDatabase();
        } finally {
          await client.close();
        }
      })();
      const results = await Promise.allSettled([dropPg, dropMongo]);
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
      if (failures.length) throw new AggregateError(failures, `cleanup of test databases ${name} failed: ${failures.map((e) => e.message).join('; ')}`);
    },
  };
}
