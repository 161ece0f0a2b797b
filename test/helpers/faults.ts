/**
 * Helpers of the verification, bad-input and fault tests: the whole run in-process against real
 * databases, content digests of every table a run writes (to compare a faulted target with a
 * clean one by content, not by counts), a MongoDB-wire server the test can stop and start again,
 * PostgreSQL backends to terminate.
 */
import { mkdir } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSON, MongoClient, type Document } from 'mongodb';
import pg from 'pg';
import { SOURCE_BSON_OPTIONS } from '../../app/source/source-db.js';
import winston from 'winston';
import { loadConfig, type Config } from '../../app/config/load.js';
import { bulkDataSets, recordDataSets } from '../../app/datasets/registry.js';
import { redactor } from '../../app/log/redact.js';
import { migrate, type RunResult } from '../../app/run/migrate.js';
import { tableDigest } from '../../app/verify/compare-rows.js';
import { verify } from '../../app/verify/verify.js';
import type { VerifyOptions } from '../../app/verify/context.js';
import type { VerificationReport } from '../../app/verify/types.js';
import type { DataSet } from '../../app/datasets/types.js';
import type { SourceDb } from '../../app/source/source-db.js';
import { EXECUTION_SEQUENCES_TABLE } from '../../app/transform/testkube/index.js';
import { makeTempDir, removeDir } from '../harness/files.js';
import { freePort } from '../harness/ports.js';
import { spawnService, type ServiceProcess } from '../harness/process.js';
import { ping } from '../harness/mongo.js';
import { toolPath } from '../harness/tools.js';
import { bytesSource } from './bson-source.js';
import { MASTER_PASSWORD } from './cli.js';

export interface Databases {
  pgUrl: string;
  mongoUrl: string;
  mongoDb: string;
}

export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'mongo2pg-work-'));
}

export function testConfig(db: Databases, flags: Record<string, string> = {}, masterPassword = MASTER_PASSWORD): Config {
  return loadConfig(new Map(Object.entries({
    mongo_dsn: db.mongoUrl, mongo_db: db.mongoDb, postgres_url: db.pgUrl, credentials_master_password: masterPassword, ...flags,
  })), {}).config;
}

export const silentLogger = (): winston.Logger => winston.createLogger({ silent: true });

/** The whole `migrate` run in this process; resolves with its result or the error it ended with. */
export async function migrateInProcess(config: Config, signal = new AbortController().signal): Promise<{ result?: RunResult; error?: unknown }> {
  try {
    const result = await migrate({ config, logger: silentLogger(), redact: redactor(config.secrets), signal, print: () => undefined });
    return { result };
  } catch (error) {
    return { error };
  }
}

/** Verification of the given (default: all registered) data sets, with a source the test may replace. */
export async function verifyInProcess(
  config: Config,
  options: { db?: SourceDb; dataSets?: DataSet[]; sequences?: boolean; verify?: Partial<VerifyOptions> } = {},
): Promise<VerificationReport> {
  const client = options.db ? undefined : new MongoClient(config.mongo.dsn, SOURCE_BSON_OPTIONS);
  await client?.connect();
  const pool = new pg.Pool({ connectionString: config.postgres.url, max: 2 });
  try {
    const db = options.db ?? (client as MongoClient).db(config.mongo.db);
    const dataSets = options.dataSets ?? [...recordDataSets(config), ...bulkDataSets(config)];
    return await verify({ config, db, pool, logger: silentLogger(), signal: new AbortController().signal, sequences: options.sequences ?? true, ...(options.verify ? { options: options.verify } : {}) }, dataSets);
  } finally {
    await pool.end();
    await client?.close();
  }
}

/** Every table a run writes: each data set's tables and execution_sequences. */
export function writtenTables(config: Config): Array<{ table: string; columns: readonly string[] }> {
  const seen = new Map<string, readonly string[]>();
  for (const ds of [...recordDataSets(config), ...bulkDataSets(config)]) for (const t of ds.tables) if (!seen.has(t.table)) seen.set(t.table, t.columns);
  seen.set(EXECUTION_SEQUENCES_TABLE.table, EXECUTION_SEQUENCES_TABLE.columns);
  return [...seen].map(([table, columns]) => ({ table, columns }));
}

/**
 * Row count and order-independent digest of every written table, over the columns the run writes
 * (`except` leaves out columns that differ between two runs by design: re-encrypted envelopes).
 */
export async function contentDigests(pgUrl: string, config: Config, except: ReadonlySet<string> = new Set(['credentials.secret_envelope'])): Promise<Record<string, string>> {
  const pool = new pg.Pool({ connectionString: pgUrl, max: 1 });
  try {
    await pool.query("SET TimeZone = 'UTC'");
    const out: Record<string, string> = {};
    for (const { table, columns } of writtenTables(config)) {
      const d = await tableDigest(pool, table, columns.filter((c) => !except.has(`${table}.${c}`)));
      out[table] = `${d.rows}:${d.digest}`;
    }
    return out;
  } finally {
    await pool.end();
  }
}

/** Ends the PostgreSQL sessions of a database whose current statement matches `like` (e.g. 'COPY%'). */
export async function terminateBackends(serverUrl: string, database: string, like: string): Promise<number> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND query LIKE $2 AND state = $3',
      [database, like, 'active'],
    );
    return rows.filter((r) => r.ok).length;
  } finally {
    await client.end();
  }
}

/**
 * A FerretDB of this test's own that can be stopped and started again on the same port and
 * data directory (the shared harness server must not be restarted under other tests).
 */
export interface RestartableMongo {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Sends a signal to the server process (SIGSTOP freezes it, SIGCONT thaws it). */
  kill(signal: NodeJS.Signals): void;
  /** Stops it for good and removes its data. */
  dispose(): Promise<void>;
}

export async function restartableFerretDb(): Promise<RestartableMongo> {
  const binary = toolPath('ferretdb');
  const dir = await makeTempDir('mongo-restart');
  const dataDir = join(dir, 'sqlite');
  await mkdir(dataDir);
  const port = await freePort();
  const url = `mongodb://127.0.0.1:${port}/`;
  let proc: ServiceProcess | undefined;
  const start = async (): Promise<void> => {
    proc = spawnService(binary, ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`, `--listen-addr=127.0.0.1:${port}`, `--state-dir=${dir}`, '--debug-addr=-', '--telemetry=disable', '--log-format=text'], { logFile: join(dir, 'ferretdb.log'), cwd: dir });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await ping(url, 1_000);
        return;
      } catch (err) {
        if (Date.now() > deadline || proc.exitReason()) throw new Error(`FerretDB on ${url} did not start: ${proc.exitReason() ?? (err as Error).message}`, { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  await start();
  return {
    url,
    start,
    kill: (signal) => {
      proc?.child.kill(signal);
    },
    stop: async () => {
      await proc?.stop(5_000);
      proc = undefined;
    },
    dispose: async () => {
      await proc?.stop(5_000);
      await removeDir(dir);
    },
  };
}

/**
 * An in-memory source like test/helpers/bson-source.ts, that also takes documents as raw BSON
 * bytes: values the JS driver cannot write (BSON undefined, dates beyond JavaScript's range,
 * invalid UTF-8 another driver wrote) reach the engines through the same decoding as the driver
 * does (`promoteLongs: false`, UTF-8 validation on).
 */
export function bsonBytesSource(collections: Record<string, Array<Document | Uint8Array>>): SourceDb {
  const asBytes = (d: Document | Uint8Array): Uint8Array => (d instanceof Uint8Array ? d : BSON.serialize(d));
  // `_id` is read with validation off: a document whose strings do not decode must still sort.
  const idOf = (bytes: Uint8Array): unknown => BSON.deserialize(bytes, { promoteLongs: false, bsonRegExp: true, validation: { utf8: false } })._id;
  return bytesSource(Object.fromEntries(Object.entries(collections).map(([name, docs]) => [name, docs.map(asBytes).map((bytes) => ({ id: idOf(bytes), bytes }))])));
}
