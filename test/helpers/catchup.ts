/**
 * Helpers of the catch-up tests (issue 17): a CatchUpContext from a test engine, table digests to
 * compare targets by, the command in this process, and changes a live application makes to the
 * source between the pre-copy and the cutover.
 */
import { Binary, Int32, MongoClient, ObjectId, type Db } from 'mongodb';
import pg from 'pg';
import type { Config } from '../../app/config/load.js';
import { encryptSourceSecret } from '../../app/credentials/source-format.js';
import { redactor } from '../../app/log/redact.js';
import { catchUpBulkDataSet, catchUpExecutionSequences } from '../../app/catchup/bulk.js';
import { catchUp, type BulkCatchUpHandlers, type CatchUpResult } from '../../app/run/catch-up.js';
import { FIXTURE_KDF_ITERATIONS } from '../fixtures/builders/access.js';
import { FIXTURE_MASTER_PASSWORD } from '../fixtures/options.js';
import { silentLogger } from './faults.js';
import type { CatchUpContext } from '../../app/catchup/types.js';
import type { TableSpec } from '../../app/datasets/types.js';
import type { ProgressSink } from '../../app/engine/context.js';
import type { TestEngine } from './engine.js';

/** `catch-up` in this process, with the bulk handlers `main` injects. */
export async function catchUpInProcess(config: Config, bulk: BulkCatchUpHandlers = { bulkDataSet: catchUpBulkDataSet, executionSequences: catchUpExecutionSequences }): Promise<{ result?: CatchUpResult; error?: unknown; printed: string[] }> {
  const printed: string[] = [];
  try {
    const result = await catchUp({ config, logger: silentLogger(), redact: redactor(config.secrets), signal: new AbortController().signal, print: (t) => printed.push(t), bulk });
    return { result, printed };
  } catch (error) {
    return { error, printed };
  }
}

export async function withSource<T>(db: { mongoUrl: string; mongoDb: string }, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = new MongoClient(db.mongoUrl, { promoteLongs: false });
  await client.connect();
  try {
    return await fn(client.db(db.mongoDb));
  } finally {
    await client.close();
  }
}

/** A user the pre-copy cannot migrate (no email: a reported failure); changeSource fixes it. */
export const BROKEN_USER = new ObjectId('6a0000000000000000000002');

export async function addBrokenUser(db: Db): Promise<void> {
  await db.collection('users').insertOne({ _id: BROKEN_USER, name: 'No Email Yet', createdAt: new Date('2026-01-01T00:00:00Z') });
}

/** What the application did while the pre-copy ran: the ids the test checks afterwards. */
export interface SourceChanges {
  insertedUser: string;
  updatedUser: string;
  deletedUser: string;
  changedCredential: string;
  keptCredential: string;
  removedOrg: string;
  keptOrg: string;
}

/**
 * Inserts, updates and deletes across record-level data sets: a user added, one renamed, one
 * deleted; a credential's secret changed (re-encrypted by the application), another left alone;
 * an organisation removed with everything that belongs to it (environments, its records in
 * global collections, its per-organisation/environment collections); a payment appended.
 */
export async function changeSource(db: Db): Promise<SourceChanges> {
  const orgs = await db.collection('organizations').find({}, { sort: { _id: 1 } }).toArray();
  const removed = orgs[orgs.length - 1];
  const kept = orgs[0];
  if (!removed || !kept || removed === kept) throw new Error('the fixture needs two organisations');
  const removedOrg = String(removed._id);
  const keptOrg = String(kept._id);

  // Users: one not referenced by the kept organisation's records is deleted; one renamed; one new.
  const members = new Set(((kept.members as Array<{ userId: unknown }> | undefined) ?? []).map((m) => String(m.userId)));
  const users = await db.collection('users').find({}, { sort: { _id: 1 } }).toArray();
  const updated = users.find((u) => members.has(String(u._id)));
  if (!updated) throw new Error('no member user');
  await db.collection('users').updateOne({ _id: updated._id }, { $set: { name: 'Renamed At Cutover', updatedAt: new Date('2026-01-02T03:04:05Z') } });
  const newId = new ObjectId('6a0000000000000000000001');
  const insertedUser = newId.toHexString();
  await db.collection('users').insertOne({ _id: newId, email: 'new.user@example.com', name: 'New User', createdAt: new Date('2026-01-01T00:00:00Z') });

  // The user the pre-copy could not migrate gets its email (when the test added it).
  await db.collection('users').updateOne({ _id: BROKEN_USER }, { $set: { email: 'fixed@example.com' } });

  // Credentials of the kept organisation: one gets a new secret, one stays.
  const creds = await db.collection('credentials').find({ organizationId: keptOrg }, { sort: { _id: 1 } }).toArray();
  const [changed, unchanged] = creds;
  if (!changed || !unchanged) throw new Error('the fixture needs two credentials in the first organisation');
  const sealed = encryptSourceSecret('a-new-secret-set-at-cutover', FIXTURE_MASTER_PASSWORD, { iterations: FIXTURE_KDF_ITERATIONS });
  await db.collection('credentials').updateOne({ _id: changed._id }, {
    $set: { ciphertext: new Binary(sealed.ciphertext), nonce: new Binary(sealed.nonce), salt: new Binary(sealed.salt), alg: sealed.alg, kdf: { name: sealed.kdf.name, iterations: new Int32(sealed.kdf.iterations) } },
  });

  // A payment appended to the kept organisation.
  await db.collection('organizations').updateOne({ _id: kept._id }, { $push: { payments: { id: 'pay-cutover', amount: '12.50', currency: 'EUR', status: 'paid', paidAt: new Date('2026-01-03T00:00:00Z') } } as never });

  // The removed organisation with its children.
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (c.name.includes(removedOrg)) await db.collection(c.name).drop();
    else if (c.name !== 'organizations') await db.collection(c.name).deleteMany({ organizationId: removedOrg });
  }
  await db.collection('organizations').deleteOne({ _id: removed._id });

  // A user nobody references any more after the removal, deleted.
  const stillReferenced = new Set<string>();
  for (const o of await db.collection('organizations').find({}).toArray()) {
    stillReferenced.add(String(o.ownerId));
    for (const m of (o.members as Array<{ userId: unknown }> | undefined) ?? []) stillReferenced.add(String(m.userId));
  }
  const deleted = users.find((u) => !stillReferenced.has(String(u._id)) && String(u._id) !== String(updated._id));
  if (!deleted) throw new Error('no unreferenced user to delete');
  await db.collection('users').deleteOne({ _id: deleted._id });

  return { insertedUser, updatedUser: String(updated._id), deletedUser: String(deleted._id), changedCredential: String(changed._id), keptCredential: String(unchanged._id), removedOrg, keptOrg };
}

/** Row count and digest of every table of the target's public schema and mongo2pg's own (everything a run could change). */
export async function everyTableDigest(pgUrl: string): Promise<Record<string, string>> {
  const pool = new pg.Pool({ connectionString: pgUrl, max: 1 });
  try {
    const { rows: tables } = await pool.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname IN ('public', 'mongo2pg') ORDER BY 1`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const { rows } = await pool.query<{ n: string; d: string }>(`SELECT count(*)::text AS n, coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text AS d FROM ${name} t`);
      out[name] = `${rows[0]?.n}:${rows[0]?.d}`;
    }
    return out;
  } finally {
    await pool.end();
  }
}

export function catchUpContext(engine: TestEngine, options: { dryRun?: boolean; signal?: AbortSignal; progress?: ProgressSink } = {}): CatchUpContext {
  return { ...engine.ctx, dryRun: options.dryRun ?? false, signal: options.signal ?? new AbortController().signal, ...(options.progress ? { progress: options.progress } : {}) };
}

/**
 * Row count and md5 of a table's rows in the columns the migration writes (ordered as text), so
 * columns the database fills itself (created_at DEFAULT now()) do not make equal targets differ.
 */
export async function tableDigest(pool: pg.Pool, spec: Pick<TableSpec, 'table' | 'columns'>): Promise<string> {
  const cols = spec.columns.map((c) => `"${c}"`).join(', ');
  const { rows } = await pool.query<{ n: number; d: string | null }>(`SELECT count(*)::int AS n, md5(string_agg(r, '|' ORDER BY r COLLATE "C")) AS d FROM (SELECT row(${cols})::text AS r FROM "${spec.table}") x`);
  return `${rows[0]?.n}:${rows[0]?.d}`;
}

export async function tableDigests(pool: pg.Pool, specs: ReadonlyArray<Pick<TableSpec, 'table' | 'columns'>>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const spec of specs) out[spec.table] = await tableDigest(pool, spec);
  return out;
}

/** A progress sink that only records, and can abort a run once a condition holds. */
export function recordingProgress(onProgress?: (task: string, done: number) => void): ProgressSink {
  return {
    phase: () => undefined,
    taskStarted: () => undefined,
    taskProgress: (task, counts) => onProgress?.(task, counts.successful + counts.failed + counts.skipped),
    taskFinished: () => undefined,
    runFinished: async () => undefined,
  };
}
