// The per-organisation (ai_*) and per-organisation/environment record-level data sets through the
// real pipeline: fixtures written by the real driver into the MongoDB-wire server (orphans, messy
// and legacy documents, leftover collections of a deleted organisation and environment), the
// parents migrated by their own data sets, then the record engine reading every scoped
// collection, transforming, checking references and inserting. For every data set: source count
// = successful + failed + skipped; PostgreSQL, read back with its own types, holds exactly
// transform(doc) for every migrated document; the same _id in two tenants' collections lands
// twice; orphans are skipped and reported with CONVERT_SKIP_INTEGRITY_ERRORS and stop the run
// without it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Db, type Document, type ObjectId } from 'mongodb';
import pg from 'pg';
import { globalRecordDataSets } from '../../app/datasets/record/global.js';
import { scopedRecordDataSets } from '../../app/datasets/record/scoped.js';
import type { DataSet, PgValue, TableSpec, TransformContext, TransformOutput } from '../../app/datasets/types.js';
import { runRecordDataSet } from '../../app/engine/record-engine.js';
import { sourceCollections } from '../../app/engine/scopes.js';
import { IntegrityError } from '../../app/errors.js';
import type { DataSetStats } from '../../app/report/stats.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { scopedCollectionName } from '../../app/source/collections.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { generateFixtures, type FixtureManifest } from '../fixtures/generate.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';

let db: TestDatabases;
let manifest: FixtureManifest;
let workDir: string;
const engines: TestEngine[] = [];

/** Documents added on top of the fixtures, per data set: copies of real ones under the same _id in another tenant. */
const added = new Map<string, number>();
const duplicated: Array<{ dataSet: string; table: string; id: string }> = [];

/** The same _id in two organisations' (or two environments') collections, as a copied collection would have it. */
async function addDuplicates(mongo: Db, m: FixtureManifest): Promise<void> {
  const [org0, org1] = m.organizations;
  assert.ok(org0 !== undefined && org1 !== undefined, 'two organisations');
  const copy = async (dataSet: string, table: string, from: string, to: string, filter: Document, change: (d: Document) => Document = (d) => d) => {
    const doc = await mongo.collection(from).findOne(filter, { sort: { _id: 1 } });
    assert.ok(doc, `a ${dataSet} document in ${from}`);
    await mongo.collection(to).insertOne(change(doc));
    added.set(dataSet, (added.get(dataSet) ?? 0) + 1);
    duplicated.push({ dataSet, table, id: (doc._id as ObjectId).toHexString() });
  };
  await copy('ai_mcp_servers', 'ai_mcp_servers', scopedCollectionName('ai_mcp_servers', org0), scopedCollectionName('ai_mcp_servers', org1), {});
  // Not a legacy one: its organizationId would (rightly) make the copy an integrity error.
  await copy('ai_assistants', 'ai_assistants', scopedCollectionName('ai_assistants', org0), scopedCollectionName('ai_assistants', org1), { organizationId: { $exists: false } });
  const [env0, env1] = m.environments.filter((e) => e.organizationId === org0);
  assert.ok(env0 !== undefined && env1 !== undefined, 'two environments in the first organisation');
  await copy('test_workflows', 'test_workflow_definitions', scopedCollectionName('testworkflows', org0, env0.environmentId), scopedCollectionName('testworkflows', org0, env1.environmentId), {}, (d) => ({ ...d, name: `${String(d.name)}-copy` }));
}

before(async () => {
  db = await createTestDatabases('datasets-scoped');
  workDir = mkdtempSync(join(tmpdir(), 'mongo2pg-datasets-scoped-'));
  const client = new MongoClient(db.mongoUrl);
  await client.connect();
  try {
    manifest = await generateFixtures(client.db(db.mongoDb), {
      seed: 23, orgs: 2, envsPerOrg: 2, usersPerOrg: 3, recordsPerScope: 3, aiSessionsPerOrg: 4, toolCallsPerSession: 2, messiness: 0.4, orphans: true,
      executionsPerEnv: 0, usageRecords: 0, auditEvents: 0, applicationAuditEvents: 0, events: 0, reportingData: 0,
    });
    await addDuplicates(client.db(db.mongoDb), manifest);
  } finally {
    await client.close();
  }
});

after(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await db?.cleanup();
});

async function engineWith(flags: Record<string, string>): Promise<TestEngine> {
  const engine = await testEngine(db, { convert_work_dir: workDir, convert_batch_size: '7', convert_parallel_workers: '3', ...flags });
  engines.push(engine);
  return engine;
}

/** organizations and environments, by the global data sets themselves. */
function parents(engine: TestEngine): DataSet[] {
  const all = new Map(globalRecordDataSets(engine.config).map((d) => [d.name, d]));
  return ['organizations', 'environments'].map((name) => {
    const ds = all.get(name);
    assert.ok(ds, `global data set ${name}`);
    return ds;
  });
}

interface Report {
  id: string;
  code: string;
  context: Record<string, unknown>;
}

function errorReport(dataSet: string): Report[] {
  const path = join(workDir, `${dataSet}_migration_errors.log`);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Report);
}

interface SourceRecord {
  doc: Document;
  ctx: TransformContext;
  orphanCollection: boolean;
}

/** Every document of a data set, collection by collection as the engine resolves them. */
async function sourceRecords(engine: TestEngine, ds: DataSet): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for (const source of await sourceCollections(engine.ctx.db, ds)) {
    const ctx: TransformContext = { ...(source.organizationId ? { organizationId: source.organizationId } : {}), ...(source.environmentId ? { environmentId: source.environmentId } : {}) };
    for await (const doc of engine.ctx.db.collection(source.collection).find({}, { sort: { _id: 1 } })) out.push({ doc, ctx, orphanCollection: source.orphan === true });
  }
  return out;
}

/** What the engine must not migrate: dangling references of the manifest, and everything in leftover collections. */
function integrityOrphans(ds: DataSet, records: readonly SourceRecord[]): Set<string> {
  const ids = new Set(manifest.orphans.filter((o) => o.dataSet === ds.name && o.expected === 'integrity-error').map((o) => o.id));
  for (const r of records) if (r.orphanCollection) ids.add(ds.idOf(r.doc));
  return ids;
}

// text[] (OID 1009): node-pg's own array parser reads the transform's literals like PostgreSQL's output.
const TEXT_ARRAY = (pg.types.getTypeParser as (oid: number) => (text: string) => string[])(1009);

/** A value made comparable between the transform's text form and PostgreSQL's types; jsonb is read as text so NULL and 'null' stay apart. */
function comparable(value: unknown, type: string, fromTransform: boolean): unknown {
  if (value === null) return null;
  switch (type) {
    case 'timestamp with time zone':
      return value instanceof Date ? value.getTime() : new Date(value as string).getTime();
    case 'jsonb':
      return { json: JSON.parse(value as string) as unknown };
    case 'ARRAY':
      return fromTransform ? TEXT_ARRAY(value as string) : value;
    default:
      return value;
  }
}

async function columnTypes(pool: pg.Pool, table: string): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ column_name: string; data_type: string }>('SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1', [table]);
  return new Map(rows.map((r) => [r.column_name, r.data_type]));
}

const sorted = (rows: unknown[][]): unknown[][] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

async function tableRows(pool: pg.Pool, spec: TableSpec): Promise<unknown[][]> {
  const types = await columnTypes(pool, spec.table);
  const select = spec.columns.map((c) => (types.get(c) === 'jsonb' ? `${pg.escapeIdentifier(c)}::text` : pg.escapeIdentifier(c))).join(', ');
  const { rows } = await pool.query({ text: `SELECT ${select} FROM ${pg.escapeIdentifier(spec.table)}`, rowMode: 'array' });
  return sorted(rows.map((row: unknown[]) => spec.columns.map((c, i) => comparable(row[i], types.get(c) as string, false))));
}

async function expectedRows(pool: pg.Pool, spec: TableSpec, outputs: readonly TransformOutput[]): Promise<unknown[][]> {
  const types = await columnTypes(pool, spec.table);
  const rows = outputs.flatMap((out) => out.filter((o) => o.table === spec.table).flatMap((o) => o.rows));
  return sorted(rows.map((row: PgValue[]) => spec.columns.map((c, i) => comparable(row[i], types.get(c) as string, true))));
}

/** Counts, rows and error report of one finished data set against its source. */
async function checkDataSet(engine: TestEngine, ds: DataSet, stats: DataSetStats): Promise<void> {
  const name = ds.name as keyof FixtureManifest['dataSets'];
  assert.equal(stats.total, (manifest.dataSets[name] ?? 0) + (added.get(ds.name) ?? 0), `${ds.name}: total = manifest count (+ added copies)`);
  assert.equal(stats.total, stats.successful + stats.failed + stats.skipped, `${ds.name}: total = successful + failed + skipped`);

  const records = await sourceRecords(engine, ds);
  assert.equal(records.length, stats.total, `${ds.name}: records read`);
  const skipped = integrityOrphans(ds, records);
  assert.deepEqual([stats.failed, stats.skipped], [0, skipped.size], `${ds.name}: failed/skipped ${JSON.stringify(errorReport(ds.name))}`);
  const migrated = records.filter((r) => !skipped.has(ds.idOf(r.doc)));
  assert.equal(stats.successful, migrated.length, `${ds.name}: successful`);

  const outputs = migrated.map((r) => ds.transform(r.doc, r.ctx));
  for (const spec of ds.tables) {
    const got = await tableRows(engine.pool, spec);
    assert.equal(got.length, stats.successful, `${ds.name}: one ${spec.table} row per migrated record`);
    assert.deepEqual(got, await expectedRows(engine.pool, spec, outputs), `${ds.name}: ${spec.table} equals transform(doc) for every migrated record`);
  }

  const reported = errorReport(ds.name);
  assert.deepEqual(reported.map((r) => `${r.id} ${r.code}`).sort(), [...skipped].map((id) => `${id} INTEGRITY`).sort(), `${ds.name}: error report`);
  for (const r of reported) assert.equal(r.context.skipped, true, `${ds.name}: ${r.id} reported as skipped`);

  const messy = manifest.messy[name];
  assert.ok((messy?.count ?? 0) > 0, `${ds.name}: the fixtures have messy records`);
  for (const id of messy?.ids ?? []) assert.ok(skipped.has(id) || migrated.some((r) => ds.idOf(r.doc) === id), `${ds.name}: messy record ${id} migrated`);
}

test('with CONVERT_SKIP_INTEGRITY_ERRORS: every scoped data set migrates exactly transform(doc); orphans and leftover collections are skipped and reported', async () => {
  const engine = await engineWith({ convert_skip_integrity_errors: 'true' });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  for (const ds of parents(engine)) {
    const stats = await runRecordDataSet(engine.ctx, ds);
    assert.equal(stats.failed, 0, `${ds.name} migrated`);
  }
  for (const ds of scopedRecordDataSets(engine.config)) await checkDataSet(engine, ds, await runRecordDataSet(engine.ctx, ds));

  // The fixtures' orphans and leftovers that the checks above covered.
  const names = new Set(scopedRecordDataSets(engine.config).map((d) => d.name));
  const mine = manifest.orphans.filter((o) => names.has(o.dataSet));
  const sets = (expected: string) => [...new Set(mine.filter((o) => o.expected === expected).map((o) => o.dataSet))].sort();
  assert.deepEqual(sets('integrity-error'), ['ai_assistants', 'ai_mcp_server_tokens', 'ai_mcp_server_tools', 'ai_session_tool_calls', 'test_workflows']);
  assert.deepEqual(sets('migrated'), ['ai_sessions'], 'a session of a deleted user migrates: users are soft references');
  assert.equal(manifest.orphanCollections.filter((c) => c.startsWith('ai_assistants_') || c.startsWith('testworkflows_')).length, 2);
});

test('the same _id in two tenants\' collections lands twice, once per scope', async () => {
  const engine = engines[0] as TestEngine;
  assert.equal(duplicated.length, 3);
  for (const { dataSet, table, id } of duplicated) {
    const { rows } = await engine.pool.query(`SELECT organization_id, ${table === 'test_workflow_definitions' ? 'environment_id' : 'NULL AS environment_id'} FROM ${pg.escapeIdentifier(table)} WHERE id = $1`, [id]);
    assert.equal(rows.length, 2, `${dataSet} ${id}: both copies migrated`);
    assert.notDeepEqual(rows[0], rows[1], `${dataSet} ${id}: in two different scopes`);
  }
});

test('without the flag: each data set with an orphan stops at it with an IntegrityError naming it, writing nothing', async () => {
  const skipping = engines[0] as TestEngine;
  // Parents and every migratable record are in place from the skipping run, so only the stop is observed.
  const engine = await engineWith({ convert_skip_existing: 'true' });
  engine.ctx.known = skipping.ctx.known;
  const counts = () => Promise.all(scopedRecordDataSets(engine.config).flatMap((ds) => ds.tables).map(async (t) => [t.table, Number((await engine.pool.query(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(t.table)}`)).rows[0].n)] as const));
  const before = await counts();
  const stopped: string[] = [];
  for (const ds of scopedRecordDataSets(engine.config)) {
    const expected = integrityOrphans(ds, await sourceRecords(engine, ds));
    if (expected.size === 0) {
      const stats = await runRecordDataSet(engine.ctx, ds);
      assert.equal(stats.skipped, stats.total, `${ds.name}: everything already there`);
      continue;
    }
    await assert.rejects(runRecordDataSet(engine.ctx, ds), (err: unknown) => {
      assert.ok(err instanceof IntegrityError, `${ds.name}: ${String(err)}`);
      assert.ok(expected.has(String(err.context.recordId)), `${ds.name}: stopped at an orphan (${String(err.context.recordId)})`);
      assert.match(err.message, /does not exist|belongs to no existing/);
      assert.match(err.message, /CONVERT_SKIP_INTEGRITY_ERRORS/);
      return true;
    });
    stopped.push(ds.name);
  }
  assert.deepEqual(stopped.sort(), ['ai_assistants', 'ai_mcp_server_tokens', 'ai_mcp_server_tools', 'ai_session_tool_calls', 'test_workflows']);
  assert.deepEqual(await counts(), before, 'the stopped runs added no rows');
});
