// The control-plane bulk data sets through the real pipeline: fixtures (messy, with orphans and
// edge values) written through the driver, read by the bulk engine, COPYed into the schema's
// tables. For every data set the source count is accounted for, and every row read back with
// PostgreSQL's types equals the pure transform of its document. Orphans abort by default and are
// skipped and reported with CONVERT_SKIP_INTEGRITY_ERRORS; CONVERT_SINCE limits usage records;
// parallel ranges land the same rows as one sequential pass.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { MongoClient, ObjectId, type Document } from 'mongodb';
import { bulkDataSetList } from '../../app/datasets/bulk/index.js';
import type { DataSet, PgValue } from '../../app/datasets/types.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { environmentKey } from '../../app/engine/integrity.js';
import { IntegrityError } from '../../app/errors.js';
import type { DataSetStats } from '../../app/report/stats.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { generateFixtures, type FixtureManifest } from '../fixtures/generate.js';
import type { EdgeTag } from '../fixtures/manifest.js';
import { withMongo } from '../helpers/seed.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';

const NAMES = ['usage_records', 'audit_log_events', 'application_audit_events', 'events', 'reporting_data'] as const;
type Name = (typeof NAMES)[number];

const FIXTURES = {
  seed: 31, orgs: 2, envsPerOrg: 2, usersPerOrg: 3, agentsPerOrg: 1, workflowsPerEnv: 3, executionsPerEnv: 0, recordsPerScope: 1,
  aiSessionsPerOrg: 0, toolCallsPerSession: 0, paymentsPerOrg: 0,
  usageRecords: 400, auditEvents: 120, applicationAuditEvents: 120, events: 150, reportingData: 80,
  messiness: 0.3, orphans: true, edgeCases: true,
};

let source: TestDatabases;
let manifest: FixtureManifest;
const targets: TestDatabases[] = [];
const engines: TestEngine[] = [];

before(async () => {
  source = await createTestDatabases('datasets-bulk-source');
  manifest = await withMongo(source.mongoUrl, source.mongoDb, (db) => generateFixtures(db, FIXTURES));
});
after(async () => {
  const closing = Promise.allSettled(engines.map((e) => e.close()));
  // A load that never ended keeps its connection busy and its pool open: dropping the database
  // (WITH FORCE) ends that connection, and then the pool closes.
  const closed = await Promise.race([closing.then(() => true), sleep(5_000, false, { ref: false })]);
  await Promise.all([source, ...targets].map((d) => d.cleanup()));
  if (!closed) await closing;
});

/** Rejects when the run has not ended in time: an abort must stop the run, not leave it waiting. */
async function endsWithin<T>(run: Promise<T>, ms: number, what: string): Promise<T> {
  run.catch(() => undefined); // settles later if it hangs; the test has failed by then
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface Target {
  engine: TestEngine;
  workDir: string;
  dataSets: Map<string, DataSet>;
}

/** A fresh PostgreSQL database with the schema, reading the shared fixture source, with the migrated tenants known. */
async function target(label: string, flags: Record<string, string>): Promise<Target> {
  const db = await createTestDatabases(label);
  targets.push(db);
  const workDir = mkdtempSync(join(tmpdir(), 'mongo2pg-work-'));
  const engine = await testEngine({ pgUrl: db.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, { convert_work_dir: workDir, ...flags });
  engines.push(engine);
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  // What the organizations/environments data sets provide in a full run.
  for (const org of manifest.organizations) engine.ctx.known.add('organization', org);
  for (const env of manifest.environments) engine.ctx.known.add('environment', environmentKey(env.organizationId, env.environmentId));
  const dataSets = new Map(bulkDataSetList(engine.config).map((d) => [d.name, d]));
  return { engine, workDir, dataSets };
}

function pick(t: Target, ...names: Name[]): DataSet[] {
  return names.map((n) => t.dataSets.get(n) as DataSet);
}

/**
 * The outcome this project gives an edge value: NaN/±Infinity in free-form jsonb are stored as
 * Relaxed Extended JSON (faithful and reversible), so they migrate (docs/data-model/bulk.md, events).
 */
function edgeOutcome(edge: EdgeTag): 'migrated' | 'reported' {
  return edge.kind === 'nan' ? 'migrated' : edge.expected;
}

const orphansOf = (name: Name) => manifest.orphans.filter((o) => o.dataSet === name);
const reportedEdgesOf = (name: Name) => manifest.edgeCases.filter((e) => e.dataSet === name && edgeOutcome(e) === 'reported');

/** The decimal value of numeric text, without exponent, sign of zero or trailing zeros. */
function canonicalDecimal(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return `not numeric: ${text}`;
  const digits = `${m[2] ?? ''}${m[3] ?? ''}`;
  const point = (m[2] ?? '').length + Number(m[4] ?? 0);
  const padded = point <= 0 ? `${'0'.repeat(1 - point)}${digits}` : digits.padEnd(point, '0');
  const at = Math.max(point, 1);
  const int = padded.slice(0, at).replace(/^0+(?=\d)/, '');
  const frac = padded.slice(at).replace(/0+$/, '');
  const value = frac === '' ? int : `${int}.${frac}`;
  return /^[0.]*$/.test(value) ? '0' : `${m[1] === '-' ? '-' : ''}${value}`;
}

/** A value as node-pg returns it, or as the transform wrote it, in one comparable form. */
function comparable(value: unknown, type: string): unknown {
  if (value === null) return null;
  switch (type) {
    case 'timestamp with time zone':
      return value instanceof Date ? value.getTime() : new Date(value as string).getTime();
    case 'jsonb':
      return typeof value === 'string' ? JSON.parse(value) : value;
    case 'numeric':
      return canonicalDecimal(String(value));
    case 'double precision':
    case 'integer':
      return Number(value);
    case 'bigint':
      return String(value);
    default:
      return value;
  }
}

async function columnTypes(t: Target, table: string): Promise<Map<string, string>> {
  const { rows } = await t.engine.pool.query<{ column_name: string; data_type: string }>('SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1', [table]);
  return new Map(rows.map((r) => [r.column_name, r.data_type]));
}

/** The table's columns in schema order. */
async function schemaColumns(t: Target, table: string): Promise<string[]> {
  const { rows } = await t.engine.pool.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position', [table]);
  return rows.map((r) => r.column_name);
}

/** Rows of the data set's table, keyed by mongo_id, in comparable form. */
async function tableRows(t: Target, ds: DataSet): Promise<Map<string, unknown[]>> {
  const spec = ds.tables[0];
  assert.ok(spec);
  const types = await columnTypes(t, spec.table);
  const { rows } = await t.engine.pool.query({ text: `SELECT ${spec.columns.join(', ')} FROM ${spec.table}`, rowMode: 'array' });
  return new Map(rows.map((row: unknown[]) => [String(row[0]), spec.columns.map((c, i) => comparable(row[i], types.get(c) as string))]));
}

/** The transform's row of every source document that should have landed, keyed by mongo_id. */
async function expectedRows(t: Target, ds: DataSet, notLanded: ReadonlySet<string>, filter: Document = {}): Promise<Map<string, unknown[]>> {
  const spec = ds.tables[0];
  assert.ok(spec);
  const types = await columnTypes(t, spec.table);
  const out = new Map<string, unknown[]>();
  for await (const doc of t.engine.ctx.db.collection(ds.collection).find(filter, { sort: { _id: 1 } })) {
    const id = ds.idOf(doc);
    if (notLanded.has(id)) continue;
    const row = ds.transform(doc, {})[0]?.rows[0] as PgValue[];
    out.set(id, spec.columns.map((c, i) => comparable(row[i], types.get(c) as string)));
  }
  return out;
}

function report(t: Target, name: string): Array<{ id: string; code: string; error: string; context: Record<string, unknown> }> {
  const path = join(t.workDir, `${name}_migration_errors.log`);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

async function digest(t: Target, table: string): Promise<string> {
  const { rows } = await t.engine.pool.query(`SELECT count(*)::int AS n, md5(string_agg(x::text, '|' ORDER BY mongo_id)) AS digest FROM ${table} x`);
  return `${rows[0].n}:${rows[0].digest}`;
}

let sequential: { target: Target; stats: DataSetStats[] } | undefined;

test('the fixtures hold clean, messy, orphaned and edge documents of every bulk data set', () => {
  for (const name of NAMES) {
    assert.ok((manifest.dataSets[name] ?? 0) > 0, name);
    assert.ok((manifest.messy[name]?.count ?? 0) > 0, `${name} has messy documents`);
    assert.equal(orphansOf(name).length, 1, `${name} has an orphan`);
  }
});

test('orphans abort the run by default (application audit events migrate theirs)', async () => {
  const t = await target('datasets-bulk-abort', { convert_bulk_write_size: '50' });
  for (const name of NAMES) {
    const [orphan] = orphansOf(name);
    assert.ok(orphan);
    const run = endsWithin(runBulkPhase(t.engine.ctx, pick(t, name), () => undefined), 20_000, `the ${name} load`);
    if (orphan.expected === 'migrated') {
      const [stats] = await run;
      assert.equal(stats?.total, manifest.dataSets[name]);
      const { rows } = await t.engine.pool.query(`SELECT organization_id FROM ${name} WHERE mongo_id = $1`, [orphan.id]);
      assert.deepEqual(rows, [{ organization_id: orphan.ref }], `${name}: the event of a deleted tenant is history and migrates`);
      continue;
    }
    await assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof IntegrityError, `${name}: ${String(err)}`);
      assert.equal(err.code, 'INTEGRITY');
      assert.deepEqual([err.context.dataSet, err.context.recordId], [name, orphan.id]);
      assert.match(err.message, new RegExp(`${orphan.field} references ${orphan.missing}`));
      assert.match(err.message, /CONVERT_SKIP_INTEGRITY_ERRORS/);
      return true;
    });
    const { rows } = await t.engine.pool.query(`SELECT count(*)::int AS n FROM ${name} WHERE mongo_id = $1`, [orphan.id]);
    assert.equal(rows[0].n, 0, `${name}: the orphan did not land`);
  }
});

test('with CONVERT_SKIP_INTEGRITY_ERRORS: source = migrated + failed + skipped, and every row equals its transform', async () => {
  const t = await target('datasets-bulk-sequential', { convert_skip_integrity_errors: 'true', convert_bulk_parallel: '1', convert_bulk_write_size: '50', convert_bulk_read_size: '30' });
  const stats = await runBulkPhase(t.engine.ctx, pick(t, ...NAMES), () => undefined);
  sequential = { target: t, stats };
  for (const name of NAMES) {
    const s = stats.find((x) => x.name === name);
    const skipped = orphansOf(name).filter((o) => o.expected === 'integrity-error').map((o) => o.id);
    const failed = reportedEdgesOf(name).map((e) => e.id);
    assert.deepEqual(
      { total: s?.total, successful: s?.successful, failed: s?.failed, skipped: s?.skipped },
      { total: manifest.dataSets[name], successful: (manifest.dataSets[name] ?? 0) - failed.length - skipped.length, failed: failed.length, skipped: skipped.length },
      name,
    );
    const lines = report(t, name);
    assert.deepEqual(lines.filter((l) => l.code === 'INTEGRITY').map((l) => [l.id, l.context.skipped]), skipped.map((id) => [id, true]), `${name}: skipped orphans are reported`);
    assert.deepEqual(lines.filter((l) => l.code === 'TRANSFORM').map((l) => l.id).sort(), [...failed].sort(), `${name}: edge values are reported`);
    for (const edge of reportedEdgesOf(name)) {
      assert.match(lines.find((l) => l.id === edge.id)?.error ?? '', new RegExp(`^${edge.field}: `), `${name}: the reason names ${edge.field}`);
    }

    const ds = t.dataSets.get(name) as DataSet;
    // Every column of the table is written, in schema order (the unit tests pin each position).
    assert.deepEqual([...(ds.tables[0]?.columns ?? [])], await schemaColumns(t, name), `${name}: columns`);
    const got = await tableRows(t, ds);
    const want = await expectedRows(t, ds, new Set([...skipped, ...failed]));
    assert.equal(got.size, s?.successful, `${name}: one row per migrated record`);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${name}: the same records`);
    for (const [id, row] of want) assert.deepEqual(got.get(id), row, `${name} ${id}`);
  }
  // The messy documents are among the migrated rows, not silently failed.
  for (const name of NAMES) {
    const landed = await t.engine.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name} WHERE mongo_id = ANY($1)`, [manifest.messy[name]?.ids ?? []]);
    const messyReported = (manifest.messy[name]?.ids ?? []).filter((id) => reportedEdgesOf(name).some((e) => e.id === id) || orphansOf(name).some((o) => o.id === id && o.expected === 'integrity-error'));
    assert.equal(landed.rows[0]?.n, (manifest.messy[name]?.count ?? 0) - messyReported.length, `${name}: messy documents migrate`);
  }
});

test('edge values: Long 2^63-1 stays exact in usage_records.quantity', async () => {
  assert.ok(sequential, 'runs after the sequential load');
  const longMax = manifest.edgeCases.find((e) => e.kind === 'long-max');
  assert.ok(longMax);
  const { rows } = await sequential.target.engine.pool.query('SELECT quantity::text AS q FROM usage_records WHERE mongo_id = $1', [longMax.id]);
  assert.deepEqual(rows, [{ q: '9223372036854775807' }]);
});

test('parallel ranges of several data sets land the same rows as one sequential pass', async () => {
  assert.ok(sequential, 'runs after the sequential load');
  const t = await target('datasets-bulk-parallel', { convert_skip_integrity_errors: 'true', convert_bulk_parallel: '3', convert_bulk_write_size: '20', convert_bulk_read_size: '15' });
  const stats = await runBulkPhase(t.engine.ctx, pick(t, ...NAMES), () => undefined);
  const counts = (list: DataSetStats[]) => list.map((s) => [s.name, s.total, s.successful, s.failed, s.skipped]);
  assert.deepEqual(counts(stats), counts(sequential.stats));
  const { rows } = await t.engine.pool.query('SELECT data_set, count(*)::int AS ranges FROM mongo2pg.bulk_progress GROUP BY 1 ORDER BY 1');
  assert.ok(rows.filter((r) => r.ranges > 1).length >= 2, `at least two data sets split into ranges: ${JSON.stringify(rows)}`);
  for (const name of NAMES) assert.equal(await digest(t, name), await digest(sequential.target, name), name);
});

test('CONVERT_SINCE: only usage records on or after the date, exactly as many as the source holds', async () => {
  const months = Object.keys(manifest.usageRecordsSince).sort();
  const since = months[Math.floor(months.length / 2)] as string;
  const t = await target('datasets-bulk-since', { convert_since: since, convert_skip_integrity_errors: 'true', convert_bulk_write_size: '40' });
  const [stats] = await runBulkPhase(t.engine.ctx, pick(t, 'usage_records'), () => undefined);
  const expected = manifest.usageRecordsSince[since];
  assert.ok(expected !== undefined && expected < (manifest.dataSets.usage_records ?? 0), 'the date leaves older records out');
  assert.equal(stats?.total, expected);
  assert.equal((stats?.successful ?? 0) + (stats?.failed ?? 0) + (stats?.skipped ?? 0), expected);

  const { rows } = await t.engine.pool.query('SELECT count(*)::int AS n, min(recorded_at) AS first FROM usage_records');
  assert.equal(rows[0].n, stats?.successful);
  assert.ok((rows[0].first as Date).getTime() >= Date.parse(`${since}T00:00:00Z`), `first ${String(rows[0].first)} >= ${since}`);

  const ds = t.dataSets.get('usage_records') as DataSet;
  const notLanded = new Set(report(t, 'usage_records').map((l) => l.id));
  const got = await tableRows(t, ds);
  const want = await expectedRows(t, ds, notLanded, { timestamp: { $gte: new Date(`${since}T00:00:00Z`) } });
  assert.deepEqual(got, want);
});

test('usage records timestamped as ISO text are selected by CONVERT_SINCE like dates', async () => {
  const usage = (timestamp: unknown) => ({ _id: new ObjectId(), organizationId: manifest.organizations[0], environmentId: null, metric: 'active_users', value: 3, timestamp });
  const extra = usage('2999-01-01T00:00:00.000Z');
  const docs = [usage('2998-12-31T23:59:59.999Z'), extra, usage(new Date('2998-12-31T23:59:59.999Z'))];
  const client = new MongoClient(source.mongoUrl);
  await client.connect();
  const t = await target('datasets-bulk-since-text', { convert_since: '2999-01-01' });
  try {
    await client.db(source.mongoDb).collection('usage_iso').insertMany(docs);
    const ds = { ...(t.dataSets.get('usage_records') as DataSet), collection: 'usage_iso' };
    const [stats] = await runBulkPhase(t.engine.ctx, [ds], () => undefined);
    assert.deepEqual([stats?.total, stats?.successful], [1, 1]);
    const { rows } = await t.engine.pool.query('SELECT mongo_id, recorded_at FROM usage_records');
    assert.deepEqual(rows, [{ mongo_id: extra._id.toHexString(), recorded_at: new Date('2999-01-01T00:00:00Z') }]);
  } finally {
    await client.close();
  }
});
