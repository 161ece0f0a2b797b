// The global record-level data sets through the real pipeline: fixtures written by the real
// driver into the MongoDB-wire server, the record engine reading, transforming, checking
// references and inserting, PostgreSQL read back with its own types. For every data set:
// source count = successful + failed + skipped, the rows equal transform(doc) for every
// document, messy records migrate, the 'reported' edge case fails naming its field, a tampered
// credential fails authentication without leaking, and the manifest's orphans are skipped and
// reported with CONVERT_SKIP_INTEGRITY_ERRORS and stop the run without it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Binary, MongoClient, ObjectId, type Document } from 'mongodb';
import pg from 'pg';
import { globalRecordDataSets } from '../../app/datasets/record/global.js';
import type { DataSet, PgValue, TableSpec } from '../../app/datasets/types.js';
import { decryptSourceSecret, readSourceSecret } from '../../app/credentials/source-format.js';
import { decryptTarget, deriveTargetKey } from '../../app/credentials/target-format.js';
import { runRecordDataSet } from '../../app/engine/record-engine.js';
import { IntegrityError } from '../../app/errors.js';
import type { DataSetStats } from '../../app/report/stats.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { generateFixtures, type FixtureManifest, type FixtureOptions } from '../fixtures/generate.js';
import { MASTER_PASSWORD } from '../helpers/cli.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';

/** Small worlds: only the record-level collections matter here. */
const WORLD: Partial<FixtureOptions> = {
  orgs: 3, envsPerOrg: 2, usersPerOrg: 4, recordsPerScope: 2, paymentsPerOrg: 4, executionsPerEnv: 0, aiSessionsPerOrg: 0,
  usageRecords: 0, auditEvents: 0, applicationAuditEvents: 0, events: 0, reportingData: 0,
  credentialsMasterPassword: MASTER_PASSWORD,
};
const TAMPERED_CREDENTIAL = new ObjectId('6600000000000000000000ff');
/** The real credential the tampered one was copied from. */
let tamperedFrom: ObjectId;

interface World {
  db: TestDatabases;
  manifest: FixtureManifest;
  workDir: string;
}

let clean: World;
let orphans: World;
const engines: TestEngine[] = [];

async function world(label: string, options: Partial<FixtureOptions>, extra?: (db: ReturnType<MongoClient['db']>) => Promise<void>): Promise<World> {
  const db = await createTestDatabases(label);
  const client = new MongoClient(db.mongoUrl);
  await client.connect();
  try {
    const manifest = await generateFixtures(client.db(db.mongoDb), { ...WORLD, ...options });
    await extra?.(client.db(db.mongoDb));
    return { db, manifest, workDir: mkdtempSync(join(tmpdir(), `mongo2pg-${label}-`)) };
  } finally {
    await client.close();
  }
}

async function engineFor(w: World, flags: Record<string, string> = {}): Promise<TestEngine> {
  const engine = await testEngine(w.db, { convert_work_dir: w.workDir, convert_batch_size: '7', convert_parallel_workers: '3', ...flags });
  engines.push(engine);
  return engine;
}

/** A real credential with one ciphertext byte flipped: it must fail authentication, alone. */
async function addTamperedCredential(db: ReturnType<MongoClient['db']>): Promise<void> {
  const original = await db.collection('credentials').findOne({}, { sort: { _id: 1 } });
  assert.ok(original, 'the fixtures have credentials');
  tamperedFrom = original._id as ObjectId;
  const bytes = Buffer.from(readSourceSecret(original).ciphertext);
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  await db.collection('credentials').insertOne({ ...original, _id: TAMPERED_CREDENTIAL, name: 'TAMPERED_SECRET', ciphertext: new Binary(bytes) });
}

before(async () => {
  [clean, orphans] = await Promise.all([
    world('datasets-global-clean', { seed: 5, messiness: 0.35, orphans: false, edgeCases: true }, addTamperedCredential),
    world('datasets-global-orphans', { seed: 6, messiness: 0.1, orphans: true, edgeCases: false }),
  ]);
});

after(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await Promise.all([clean?.db.cleanup(), orphans?.db.cleanup()]);
});

interface Report {
  id: string;
  code: string;
  error: string;
  context: Record<string, unknown>;
}

function errorReport(w: World, dataSet: string): Report[] {
  const path = join(w.workDir, `${dataSet}_migration_errors.log`);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Report);
}

/** Every record of a data set as the engine sees it (exploded for payments), in source order. */
async function sourceRecords(engine: TestEngine, ds: DataSet): Promise<Document[]> {
  const out: Document[] = [];
  for await (const doc of engine.ctx.db.collection(ds.collection).find({}, { sort: { _id: 1 } })) out.push(...(ds.explode ? ds.explode(doc) : [doc]));
  return out;
}

// text[] (OID 1009): node-pg's own array parser reads the transform's literals like PostgreSQL's output.
const TEXT_ARRAY = (pg.types.getTypeParser as (oid: number) => (text: string) => string[])(1009);

/**
 * A column value made comparable between the transform's text form and what node-pg reads back
 * with PostgreSQL's types. jsonb is read as text so SQL NULL and JSON null stay apart.
 */
function comparable(value: unknown, type: string, fromTransform: boolean): unknown {
  if (value === null) return null;
  switch (type) {
    case 'timestamp with time zone':
      return value instanceof Date ? value.getTime() : new Date(value as string).getTime();
    case 'jsonb':
      return { json: JSON.parse(value as string) as unknown };
    case 'ARRAY':
      return fromTransform ? TEXT_ARRAY(value as string) : value;
    case 'bytea':
      return fromTransform ? value : `\\x${(value as Buffer).toString('hex')}`;
    default:
      return value;
  }
}

async function columnTypes(pool: pg.Pool, table: string): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ column_name: string; data_type: string }>('SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1', [table]);
  return new Map(rows.map((r) => [r.column_name, r.data_type]));
}

const sorted = (rows: unknown[][]): unknown[][] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** The rows of one table, every column as comparable values. Columns in `skip` are left out. */
async function tableRows(pool: pg.Pool, spec: TableSpec, skip: ReadonlySet<string>): Promise<unknown[][]> {
  const types = await columnTypes(pool, spec.table);
  const columns = spec.columns.filter((c) => !skip.has(c));
  const select = columns.map((c) => (types.get(c) === 'jsonb' ? `${pg.escapeIdentifier(c)}::text` : pg.escapeIdentifier(c))).join(', ');
  const { rows } = await pool.query({ text: `SELECT ${select} FROM ${pg.escapeIdentifier(spec.table)}`, rowMode: 'array' });
  return sorted(rows.map((row: unknown[]) => columns.map((c, i) => comparable(row[i], types.get(c) as string, false))));
}

async function expectedRows(pool: pg.Pool, spec: TableSpec, outputs: ReturnType<DataSet['transform']>[], skip: ReadonlySet<string>): Promise<unknown[][]> {
  const types = await columnTypes(pool, spec.table);
  const keep = spec.columns.map((c, i) => [c, i] as const).filter(([c]) => !skip.has(c));
  const rows = outputs.flatMap((out) => out.filter((o) => o.table === spec.table).flatMap((o) => o.rows));
  return sorted(rows.map((row: PgValue[]) => keep.map(([c, i]) => comparable(row[i], types.get(c) as string, true))));
}

/**
 * Checks one finished data set against its source: counts, rows (= transform of every record not
 * expected to fail or be skipped), and the error report. Returns the ids that were not migrated.
 */
async function checkDataSet(w: World, engine: TestEngine, ds: DataSet, stats: DataSetStats, notMigrated: ReadonlyMap<string, string>): Promise<void> {
  const name = ds.name as keyof FixtureManifest['dataSets'];
  const extraSource = ds.name === 'credentials' && w === clean ? 1 : 0;
  assert.equal(stats.total, (w.manifest.dataSets[name] ?? 0) + extraSource, `${ds.name}: total = manifest count`);
  assert.equal(stats.total, stats.successful + stats.failed + stats.skipped, `${ds.name}: total = successful + failed + skipped`);

  const records = await sourceRecords(engine, ds);
  assert.equal(records.length, stats.total, `${ds.name}: records read`);
  const migrated = records.filter((r) => !notMigrated.has(ds.idOf(r)));
  assert.equal(stats.successful, migrated.length, `${ds.name}: successful`);

  // Credentials: the envelope is fresh randomness by design; it is checked by decryption instead.
  const skip = new Set(ds.name === 'credentials' ? ['secret_envelope'] : []);
  const outputs = migrated.map((r) => ds.transform(r, {}));
  for (const spec of ds.tables) {
    const got = await tableRows(engine.pool, spec, skip);
    const want = await expectedRows(engine.pool, spec, outputs, skip);
    assert.equal(got.length, want.length, `${ds.name}: ${spec.table} row count`);
    if (spec === ds.tables[0]) assert.equal(got.length, stats.successful, `${ds.name}: one ${spec.table} row per migrated record`);
    assert.deepEqual(got, want, `${ds.name}: ${spec.table} equals transform(doc) for every migrated record`);
  }

  const reported = errorReport(w, ds.name);
  assert.deepEqual(reported.map((r) => `${r.id} ${r.code}`).sort(), [...notMigrated].map(([id, code]) => `${id} ${code}`).sort(), `${ds.name}: error report`);
}

function edgeFailures(w: World, dataSet: string): Map<string, string> {
  return new Map(w.manifest.edgeCases.filter((e) => e.dataSet === dataSet && e.expected === 'reported').map((e) => [e.id, 'TRANSFORM']));
}

test('clean source (messy, legacy, edge cases): every data set migrates faithfully, parents first', async () => {
  const engine = await engineFor(clean);
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  const dataSets = globalRecordDataSets(engine.config);
  for (const ds of dataSets) {
    const stats = await runRecordDataSet(engine.ctx, ds);
    const failures = edgeFailures(clean, ds.name);
    if (ds.name === 'credentials') failures.set(TAMPERED_CREDENTIAL.toHexString(), 'TRANSFORM');
    assert.deepEqual([stats.failed, stats.skipped], [failures.size, 0], `${ds.name}: failed/skipped ${JSON.stringify(errorReport(clean, ds.name))}`);
    await checkDataSet(clean, engine, ds, stats, failures);

    // Messy records (every kind the generator produces) are among the migrated ones.
    const messy = clean.manifest.messy[ds.name as keyof FixtureManifest['messy']];
    if (ds.name !== 'config') assert.ok((messy?.count ?? 0) > 0, `${ds.name}: the fixtures have messy records`);
    for (const id of messy?.ids ?? []) assert.ok(!failures.has(id), `${ds.name}: messy record ${id} migrated`);
  }
  assert.ok(edgeFailures(clean, 'users').size > 0, 'the NUL-byte user is among the fixtures');
  const nul = errorReport(clean, 'users')[0];
  assert.match(nul?.error ?? '', /^name: contains a NUL character/);
});

test('credentials: every migrated envelope decrypts for its own row to the source secret; the tampered one fails authentication, leaking nothing', async () => {
  const engine = engines[0] as TestEngine;
  const key = deriveTargetKey(MASTER_PASSWORD);
  const { rows } = await engine.pool.query<{ id: string; secret_envelope: Buffer }>('SELECT id, secret_envelope FROM credentials');
  const envelopes = new Map(rows.map((r) => [r.id, r.secret_envelope]));
  let checked = 0;
  for await (const doc of engine.ctx.db.collection('credentials').find({})) {
    const id = (doc._id as ObjectId).toHexString();
    if (id === TAMPERED_CREDENTIAL.toHexString()) {
      assert.equal(envelopes.has(id), false);
      continue;
    }
    const envelope = envelopes.get(id);
    assert.ok(envelope, `credential ${id} migrated`);
    assert.deepEqual(decryptTarget(envelope, key, id), decryptSourceSecret(readSourceSecret(doc), MASTER_PASSWORD));
    checked++;
  }
  assert.equal(checked, clean.manifest.dataSets.credentials);

  const [failure] = errorReport(clean, 'credentials');
  assert.equal(failure?.id, TAMPERED_CREDENTIAL.toHexString());
  assert.match(failure?.error ?? '', /^ciphertext: authenticated decryption failed/);
  const original = await engine.ctx.db.collection('credentials').find({ _id: tamperedFrom }).next();
  const secret = decryptSourceSecret(readSourceSecret(original as Document), MASTER_PASSWORD).toString('utf8');
  const log = readFileSync(join(clean.workDir, 'credentials_migration_errors.log'), 'utf8');
  assert.ok(!log.includes(secret) && !log.includes(MASTER_PASSWORD), 'the error report holds neither the secret nor the master password');
});

/** Orphans the engine must stop at (or skip): their id → the data set. */
function integrityOrphans(dataSet: string): Map<string, string> {
  return new Map(orphans.manifest.orphans.filter((o) => o.dataSet === dataSet && o.expected === 'integrity-error').map((o) => [o.id, 'INTEGRITY']));
}

test('orphans with CONVERT_SKIP_INTEGRITY_ERRORS: skipped and reported; soft references (users, agent environments) migrate', async () => {
  const engine = await engineFor(orphans, { convert_skip_integrity_errors: 'true' });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  for (const ds of globalRecordDataSets(engine.config)) {
    const stats = await runRecordDataSet(engine.ctx, ds);
    const skipped = integrityOrphans(ds.name);
    assert.deepEqual([stats.failed, stats.skipped], [0, skipped.size], `${ds.name}: failed/skipped ${JSON.stringify(errorReport(orphans, ds.name))}`);
    await checkDataSet(orphans, engine, ds, stats, skipped);
    for (const r of errorReport(orphans, ds.name)) assert.equal(r.context.skipped, true, `${ds.name}: ${r.id} reported as skipped`);
  }
  // The fixtures' orphans of these data sets, by expected outcome: the checks above covered them all.
  const names = new Set(globalRecordDataSets(engine.config).map((d) => d.name));
  const mine = orphans.manifest.orphans.filter((o) => names.has(o.dataSet));
  const sets = (expected: string) => [...new Set(mine.filter((o) => o.expected === expected).map((o) => o.dataSet))].sort();
  assert.deepEqual(sets('migrated'), ['agents', 'invites', 'organizations', 'tokens', 'trackers', 'views']);
  assert.deepEqual(sets('integrity-error'), ['agents', 'boards', 'credentials', 'cron_schedules', 'environments', 'incidents', 'invites', 'metadata', 'organization_domains', 'resource_groups', 'settings', 'status_pages', 'tokens', 'trackers']);
});

test('orphans without the flag: each data set stops at its first orphan with an IntegrityError naming it, writing nothing', async () => {
  const skipping = engines.at(-1) as TestEngine;
  // Parents as migrated by the skipping run; rows already there are skipped, so only the stop is observed.
  const engine = await engineFor(orphans, { convert_skip_existing: 'true' });
  engine.ctx.known = skipping.ctx.known;
  const counts = () => Promise.all(globalRecordDataSets(engine.config).flatMap((ds) => ds.tables).map(async (t) => [t.table, Number((await engine.pool.query(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(t.table)}`)).rows[0].n)] as const));
  const before = await counts();
  for (const ds of globalRecordDataSets(engine.config)) {
    const expected = integrityOrphans(ds.name);
    if (expected.size === 0) continue;
    await assert.rejects(runRecordDataSet(engine.ctx, ds), (err: unknown) => {
      assert.ok(err instanceof IntegrityError, `${ds.name}: ${String(err)}`);
      assert.ok(expected.has(String(err.context.recordId)), `${ds.name}: stopped at an orphan (${String(err.context.recordId)})`);
      assert.match(err.message, /does not exist|belongs to no existing/);
      assert.match(err.message, /CONVERT_SKIP_INTEGRITY_ERRORS/);
      return true;
    });
  }
  assert.deepEqual(await counts(), before, 'the stopped runs added no rows');
});
