// verify catches a bug in the mapping it shares with the migration (issue 15): a deliberately
// broken organizations mapping (a test-only seam wrapping the data set's transform) drops the
// fields a DBRef carries beyond $ref/$id/$db. The migration writes the broken value and
// re-running the same transform agrees with it, so only the independent check (the stored jsonb
// against the source's canonical Extended JSON, app/verify/source-json.ts) can see it; verify
// must fail with exit code 5. The same documents through the real mapping verify clean.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DBRef, Int32, ObjectId, type Document } from 'mongodb';
import pg from 'pg';
import { recordDataSets } from '../../app/datasets/registry.js';
import type { DataSet, TableRows } from '../../app/datasets/types.js';
import { runRecordDataSet } from '../../app/engine/record-engine.js';
import { ExitCode } from '../../app/errors.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { verificationError } from '../../app/verify/summary.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { bsonBytesSource, verifyInProcess, workDir } from '../helpers/faults.js';

const REF = new ObjectId('65f000000000000000000001');
/** FerretDB v1 refuses `$` keys, so the documents are read from their BSON bytes (test/helpers/bson-source.ts). */
const source = bsonBytesSource({
  organizations: [
    { _id: 'tkcorg_dbref_extra', name: 'with a DBRef', v: new DBRef('users', REF, undefined, { foo: 'bar', n: new Int32(2) }) },
    { _id: 'tkcorg_plain', name: 'plain', v: { a: [new Int32(1), 'x'] } },
  ],
});

/** The broken mapping: every object with `$ref` and `$id` in `extra` loses its other fields. */
function dropDbRefFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropDbRefFields);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Document);
  const isRef = '$ref' in (value as Document) && '$id' in (value as Document);
  return Object.fromEntries(entries.filter(([k]) => !isRef || k === '$ref' || k === '$id' || k === '$db').map(([k, v]) => [k, dropDbRefFields(v)]));
}

function broken(ds: DataSet): DataSet {
  const extraAt = ds.tables[0]?.columns.indexOf('extra') ?? -1;
  return {
    ...ds,
    transform: (doc, ctx): TableRows[] => ds.transform(doc, ctx).map((part, i) => (i > 0 || extraAt < 0 ? part : {
      ...part,
      rows: part.rows.map((row) => row.map((v, c) => (c === extraAt && typeof v === 'string' ? JSON.stringify(dropDbRefFields(JSON.parse(v))) : v))),
    })),
  };
}

interface Target { db: TestDatabases; engine: TestEngine; pool: pg.Pool }
const targets: Target[] = [];

async function migrated(label: string, dataSet: (ds: DataSet) => DataSet): Promise<{ target: Target; ds: DataSet }> {
  const db = await createTestDatabases(label);
  const engine = await testEngine(db, { convert_work_dir: workDir() });
  engine.ctx.db = source;
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  const ds = dataSet(recordDataSets(engine.config).find((d) => d.name === 'organizations') as DataSet);
  const stats = await runRecordDataSet(engine.ctx, ds);
  assert.equal(stats.successful, 2);
  const target = { db, engine, pool: new pg.Pool({ connectionString: db.pgUrl, max: 1 }) };
  targets.push(target);
  return { target, ds };
}

after(async () => {
  for (const t of targets) {
    await t.pool.end();
    await t.engine.close();
    await t.db.cleanup();
  }
});

test('a mapping that drops a DBRef\'s extra field is caught by verify, with exit code 5', async () => {
  const { target, ds } = await migrated('verify-broken-mapping', broken);
  // The broken mapping did write the changed value.
  const { rows } = await target.pool.query<{ v: string }>("SELECT (extra -> 'v')::text AS v FROM organizations WHERE id = 'tkcorg_dbref_extra'");
  assert.equal(rows[0]?.v, `{"$id": {"$oid": "${REF.toHexString()}"}, "$ref": "users"}`);

  const report = await verifyInProcess(target.engine.config, { db: source, dataSets: [ds], sequences: false });
  assert.equal(report.ok, false);
  const problems = report.dataSets.flatMap((d) => d.problems);
  // Only the independent check sees it: re-running the (same broken) transform agrees with the row.
  assert.equal(problems.length, 1, JSON.stringify(problems));
  const [p] = problems;
  assert.equal(p?.kind, 'different');
  assert.equal(p?.id, 'tkcorg_dbref_extra');
  assert.equal(p?.column, 'extra');
  assert.match(p?.message ?? '', /organizations\.extra → "v" holds .* but the source document holds .*"foo".*canonical Extended JSON/);
  assert.equal(verificationError(report).exitCode, ExitCode.verificationFailed);
  assert.equal(ExitCode.verificationFailed, 5);
});

test('the same documents through the real mapping verify clean', async () => {
  const { target, ds } = await migrated('verify-real-mapping', (d) => d);
  const { rows } = await target.pool.query<{ v: string }>("SELECT (extra -> 'v')::text AS v FROM organizations WHERE id = 'tkcorg_dbref_extra'");
  assert.equal(rows[0]?.v, `{"n": 2, "$id": {"$oid": "${REF.toHexString()}"}, "foo": "bar", "$ref": "users"}`);
  const report = await verifyInProcess(target.engine.config, { db: source, dataSets: [ds], sequences: false });
  assert.deepEqual(report.dataSets.flatMap((d) => d.problems), []);
  assert.equal(report.ok, true);
});

// An exploded data set (payments history: one record per entry of organizations.payments[]): its
// `extra` holds the entry's unmapped fields, so the independent check reads the entry, not the
// record around it ({organizationId, position, payment}). It once compared with the latter and
// called every migrated entry with an unmapped field a difference (exit 5 on a clean migration).
const withPayments = bsonBytesSource({
  organizations: [
    {
      _id: 'tkcorg_payments', name: 'pays',
      payments: [
        { id: 'p1', amount: '12.50', currency: 'EUR', status: 'paid', schemaVersion: new Int32(1), gateway: { ref: 'x', tries: [new Int32(1), 2.5] } },
        { id: 'p2', amount: '3', currency: 'EUR', status: 'paid' },
      ],
    },
  ],
});

test('payments history: entries with unmapped fields verify clean, and a changed entry field is caught', async () => {
  const db = await createTestDatabases('verify-payments-extra');
  const engine = await testEngine(db, { convert_work_dir: workDir() });
  engine.ctx.db = withPayments;
  const pool = new pg.Pool({ connectionString: db.pgUrl, max: 1 });
  targets.push({ db, engine, pool });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  const sets = recordDataSets(engine.config).filter((d) => d.name === 'organizations' || d.name === 'payments_history');
  for (const ds of sets) assert.ok((await runRecordDataSet(engine.ctx, ds)).failed === 0, ds.name);
  const { rows } = await pool.query<{ extra: string }>("SELECT extra::text AS extra FROM organization_payments WHERE organization_id = 'tkcorg_payments' AND position = 0");
  assert.equal(rows[0]?.extra, '{"gateway": {"ref": "x", "tries": [1, 2.5]}, "schemaVersion": 1}');

  const clean = await verifyInProcess(engine.config, { db: withPayments, dataSets: sets, sequences: false });
  assert.deepEqual(clean.dataSets.flatMap((d) => d.problems), []);
  assert.equal(clean.ok, true);

  // The target changed behind the migration's back: only the independent check compares `extra`
  // with the source entry, so it is what names the difference.
  await pool.query(`UPDATE organization_payments SET extra = jsonb_set(extra, '{schemaVersion}', '2') WHERE organization_id = 'tkcorg_payments' AND position = 0`);
  const changed = await verifyInProcess(engine.config, { db: withPayments, dataSets: sets, sequences: false });
  const problems = changed.dataSets.flatMap((d) => d.problems);
  assert.ok(problems.some((p) => p.id === 'tkcorg_payments/payments/0' && p.column === 'extra' && /"schemaVersion" holds \{"int":"2"\}, but the source document holds \{"int":"1"\}/.test(p.message)), JSON.stringify(problems));
  assert.equal(verificationError(changed).exitCode, ExitCode.verificationFailed);
});
