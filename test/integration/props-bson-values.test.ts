// Property test of the value table (docs/data-model.md §2a, issue 15): BSON values of every type
// with their edge cases (test/helpers/bson-arbitraries.ts), nested at random depths, are put into
// a free-form field of one document of every record and bulk data set that has one (an unmapped
// top-level field lands in `extra`), and run through both engines into real PostgreSQL: the record
// engine, and the bulk engine inline and on transform threads. Per value, in each target: it reads
// back exactly as the table says (compared as PostgreSQL prints jsonb, so `1.0` ≠ `1`), or its
// document is in the error report with the table's reason code.
//
// The expected text comes from the bson library's canonical Extended JSON of the value as the
// engines decode it, turned into the table's jsonb form by the rules written in the table, not by
// app/transform/values.ts. FerretDB v1 cannot store most of these types, so documents are read
// from their BSON bytes with the driver's decoding (test/helpers/bson-source.ts).
//
// Bounded in CI (MONGO2PG_PROPS_RUNS, default 2 batches); a longer run is one command:
//   MONGO2PG_PROPS_RUNS=50 npm run test:props        (MONGO2PG_PROPS_SEED=<n> repeats a run)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { BSON, DBRef, type Document } from 'mongodb';
import pg from 'pg';
import { bulkDataSets, recordDataSets } from '../../app/datasets/registry.js';
import type { DataSet } from '../../app/datasets/types.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { runRecordDataSet } from '../../app/engine/record-engine.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { BSON_UNDEFINED, DBPointer } from '../../app/source/legacy-bson.js';
import { decodeSourceDocument } from '../../app/source/source-db.js';
import { FIXTURE_MASTER_PASSWORD } from '../fixtures/generate.js';
import { plannedDocuments } from '../fixtures/in-memory.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { bsonValue } from '../helpers/bson-arbitraries.js';
import { testEngine } from '../helpers/engine.js';
import { bsonBytesSource, testConfig, workDir } from '../helpers/faults.js';
import { serializeWithLegacy } from '../helpers/legacy-bson-bytes.js';

const RUNS = Number(process.env['MONGO2PG_PROPS_RUNS'] ?? '2');
const SEED = process.env['MONGO2PG_PROPS_SEED'] === undefined ? (Date.now() ^ (Math.random() * 2 ** 31)) | 0 : Number(process.env['MONGO2PG_PROPS_SEED']);

/** Go-JSON data sets follow docs/testkube-executions.md §6, not this table. */
const NOT_IN_TABLE = new Set(['test_workflow_executions', 'execution_sequences']);
/** Collections other documents hard-reference: their values carry no U+0000, so no child is orphaned by a reported parent. */
const PARENTS = new Set(['organizations', 'environments', 'status_pages']);
const isParent = (collection: string): boolean => PARENTS.has(collection) || /^ai_(mcp_servers|sessions)_/.test(collection);

interface Carrier {
  key: string;
  collection: string;
  dataSet: string;
  base: Document;
}

const BASE: Carrier[] = [];
for (const p of plannedDocuments({
  seed: 3, orgs: 1, envsPerOrg: 1, usersPerOrg: 1, agentsPerOrg: 1, workflowsPerEnv: 1, executionsPerEnv: 1, recordsPerScope: 1, aiSessionsPerOrg: 1,
  toolCallsPerSession: 1, paymentsPerOrg: 1, usageRecords: 2, auditEvents: 2, applicationAuditEvents: 2, events: 2, reportingData: 2,
  messiness: 0, orphans: false, edgeCases: false,
})) {
  if (NOT_IN_TABLE.has(p.dataSet)) continue;
  BASE.push({ key: `prop_${BASE.length}`, collection: p.collection, dataSet: p.dataSet, base: p.built.doc });
}

// --- the table's jsonb form, from canonical Extended JSON -----------------------------------

/** A JSON number written as raw text inside the expected value. */
class Raw {
  constructor(readonly text: string) {}
}

/** Shortest round-trip digits of a double, an exponent written out: 1e+21 → 1000000000000000000000. */
function plainDigits(n: number): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e\+(\d+)$/.exec(String(n));
  if (!m) return String(n);
  const frac = m[3] ?? '';
  return `${m[1]}${m[2]}${frac}${'0'.repeat(Number(m[4]) - frac.length)}`;
}

/** Table rules applied to canonical Extended JSON (bson's EJSON.serialize, relaxed: false). */
function tableForm(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(tableForm);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [k] = keys as [string];
    const inner = o[k];
    if (k === '$numberInt') return new Raw(inner as string);
    if (k === '$numberLong') {
      const n = BigInt(inner as string);
      return n > -(2n ** 53n) && n < 2n ** 53n ? new Raw(n.toString()) : o;
    }
    if (k === '$numberDouble') {
      const n = Number(inner);
      if (!Number.isFinite(n) || inner === '-0.0') return o;
      return new Raw(Number.isInteger(n) ? `${plainDigits(n)}.0` : String(n));
    }
    if (k === '$date' && typeof inner === 'object' && inner !== null && '$numberLong' in inner) {
      const ms = Number((inner as { $numberLong: string }).$numberLong);
      if (ms >= 0 && ms <= Date.UTC(9999, 11, 31, 23, 59, 59, 999)) return { $date: new Date(ms).toISOString() };
      return o;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, tableForm(o[k])]));
}

/** The canonical Extended JSON of a decoded value; DBPointer and undefined in their canonical forms. */
function canonical(value: unknown): unknown {
  if (value instanceof DBPointer) return { $dbPointer: { $ref: value.namespace, $id: { $oid: value.oid.toHexString() } } };
  if (value === BSON_UNDEFINED) return { $undefined: true };
  // bson's EJSON rebuilds a DBRef through its constructor, which splits a dotted $ref: written here.
  if (value instanceof DBRef) return { $ref: value.collection, $id: canonical(value.oid), ...(value.db === undefined ? {} : { $db: value.db }), ...Object.fromEntries(Object.entries(value.fields).map(([k, v]) => [k, canonical(v)])) };
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object' && !('_bsontype' in value) && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  }
  return BSON.EJSON.serialize({ v: value }, { relaxed: false })['v'];
}

function jsonText(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

/** Whether the value holds U+0000 in a string, code, symbol or DBRef/DBPointer string (the table reports it: nul-byte). */
function hasNul(value: unknown): boolean {
  return JSON.stringify(canonical(value)).includes('\\u0000');
}

// --- one batch through the engines -------------------------------------------------------

interface Outcome {
  stored: Map<string, string>;
  reports: Map<string, { code: string; reason?: string }>;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function runEngines(label: string, source: ReturnType<typeof bsonBytesSource>, threads: number): Promise<Outcome> {
  const db: TestDatabases = await createTestDatabases(label);
  const dir = workDir();
  const engine = await testEngine(db, { convert_work_dir: dir, credentials_master_password: FIXTURE_MASTER_PASSWORD, convert_bulk_threads: String(threads), convert_bulk_write_size: '7', convert_batch_size: '5' });
  const pool = new pg.Pool({ connectionString: db.pgUrl, max: 1 });
  cleanups.push(async () => {
    await pool.end();
    await engine.close();
    await db.cleanup();
  });
  engine.ctx.db = source;
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  const record = recordDataSets(engine.config);
  const bulk = bulkDataSets(engine.config).filter((d) => !NOT_IN_TABLE.has(d.name));
  for (const ds of record) await runRecordDataSet(engine.ctx, ds);
  await runBulkPhase(engine.ctx, bulk, () => undefined);
  const stored = new Map<string, string>();
  const reports = new Map<string, { code: string; reason?: string }>();
  for (const ds of [...record, ...bulk]) {
    const main = ds.tables[0];
    if (main?.columns.includes('extra')) {
      const { rows } = await pool.query<{ k: string; v: string }>(`SELECT e.k, e.v::text AS v FROM "${main.table}" t, jsonb_each(t.extra) AS e(k, v) WHERE e.k LIKE 'prop\\_%'`);
      for (const r of rows) stored.set(r.k, r.v);
    }
    const file = join(dir, `${ds.name}_migration_errors.log`);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
      const l = JSON.parse(line) as { id: string; code: string; context?: { reason?: string } };
      reports.set(`${ds.name}/${l.id}`, { code: l.code, ...(l.context?.reason ? { reason: l.context.reason } : {}) });
    }
  }
  return { stored, reports };
}

let batchNo = 0;
/** Only the data sets' idOf is used from this configuration: it connects nowhere. */
const ID_CONFIG = testConfig({ mongoUrl: 'mongodb://127.0.0.1:9/', mongoDb: 'none', pgUrl: 'postgres://none@127.0.0.1:9/none' }, {}, FIXTURE_MASTER_PASSWORD);

async function checkBatch(values: readonly unknown[]): Promise<void> {
  batchNo++;
  const registry = new Map<string, DataSet>([...recordDataSets(ID_CONFIG), ...bulkDataSets(ID_CONFIG)].map((d) => [d.name, d]));
  const collections: Record<string, Uint8Array[]> = {};
  const cases: Array<{ carrier: Carrier; id: string; decoded: unknown; bytes: Uint8Array }> = [];
  BASE.forEach((carrier, i) => {
    const bytes = serializeWithLegacy({ ...carrier.base, [carrier.key]: values[i] });
    (collections[carrier.collection] ??= []).push(bytes);
    const doc = decodeSourceDocument(bytes);
    const ds = registry.get(carrier.dataSet) as DataSet;
    cases.push({ carrier, id: ds.idOf(doc), decoded: doc[carrier.key], bytes });
  });
  const source = bsonBytesSource(collections);
  const targets = [
    { name: 'record engine + bulk inline', outcome: await runEngines(`props-${batchNo}-inline`, source, 0) },
    { name: 'record engine + bulk on 2 transform threads', outcome: await runEngines(`props-${batchNo}-threads`, source, 2) },
  ];
  // The table's jsonb text of every value, as PostgreSQL prints it (key order, number text).
  const expectedTexts = cases.map((c) => (hasNul(c.decoded) ? null : jsonText(tableForm(canonical(c.decoded)))));
  const pool = new pg.Pool({ connectionString: process.env['MONGO2PG_TEST_PG_URL'], max: 1 });
  let printed: Array<string | null>;
  try {
    const { rows } = await pool.query<{ t: string | null }>('SELECT x::jsonb::text AS t FROM unnest($1::text[]) WITH ORDINALITY AS u(x, o) ORDER BY o', [expectedTexts]);
    printed = rows.map((r) => r.t);
  } finally {
    await pool.end();
  }
  const problems: string[] = [];
  const expectedReports = new Set<string>();
  cases.forEach((c, i) => {
    const where = `${c.carrier.dataSet} ${c.id} ${c.carrier.key} = ${JSON.stringify(canonical(c.decoded)).slice(0, 300)}`;
    for (const { name, outcome } of targets) {
      const stored = outcome.stored.get(c.carrier.key);
      const report = outcome.reports.get(`${c.carrier.dataSet}/${c.id}`);
      if (printed[i] === null) {
        expectedReports.add(`${c.carrier.dataSet}/${c.id}`);
        if (stored !== undefined) problems.push(`${name}: ${where}: stored as ${stored.slice(0, 200)}, the table reports it (nul-byte)`);
        else if (report?.code !== 'TRANSFORM' || report.reason !== 'nul-byte') problems.push(`${name}: ${where}: not in the error report with reason nul-byte (report: ${JSON.stringify(report)})`);
      } else if (stored !== printed[i]) {
        problems.push(`${name}: ${where}: reads back ${stored === undefined ? `nothing (report: ${JSON.stringify(report)})` : stored.slice(0, 300)}, the table gives ${printed[i]?.slice(0, 300)}`);
      }
    }
  });
  for (const { name, outcome } of targets) {
    for (const [key, r] of outcome.reports) if (!expectedReports.has(key)) problems.push(`${name}: ${key} reported (${JSON.stringify(r)}), though the table stores its value`);
  }
  assert.deepEqual(problems, [], `seed ${SEED}: ${problems.length} value(s) off the table`);
}

test(`every BSON value in a free-form field reads back per the value table, or its document is reported with the table's reason (seed ${SEED}, ${RUNS} batch(es) of ${BASE.length} documents)`, { timeout: 600_000 }, async () => {
  console.log(`props: seed ${SEED}, ${RUNS} batch(es) of ${BASE.length} documents; repeat with MONGO2PG_PROPS_SEED=${SEED} MONGO2PG_PROPS_RUNS=${RUNS} npm run test:props`);
  const value = (collection: string): fc.Arbitrary<unknown> => bsonValue({ nul: !isParent(collection), maxDepth: 3 });
  const batch = fc.tuple(...BASE.map((c) => value(c.collection)));
  await fc.assert(fc.asyncProperty(batch, async (values) => checkBatch(values)), { numRuns: RUNS, seed: SEED, endOnFailure: true });
});
