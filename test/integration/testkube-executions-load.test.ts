// Executions through the real pipeline: BSON documents read by the bulk engine, COPYed into
// Testkube's tables, read back with PostgreSQL's own types, equal the pure transform's rows; the
// denormalised status/workflow_name equal what Testkube's triggers would have set.
// Real executions carry dotted keys (workflow annotations are stored unescaped, fact sheet §0),
// which FerretDB v1 refuses, so the documents come from the in-memory BSON source.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId, type Document } from 'mongodb';
import { testWorkflowExecutions } from '../../app/datasets/bulk/test-workflow-executions.js';
import { runExecutionSequences } from '../../app/datasets/bulk/execution-sequences.js';
import type { PgValue } from '../../app/datasets/types.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { deferConstraints, restoreConstraints } from '../../app/engine/deferred-constraints.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { scopedCollectionName } from '../../app/source/collections.js';
import { EXECUTION_TABLES, transformExecution } from '../../app/transform/testkube/index.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { EXECUTION_ID, fullExecution, oldExecution } from '../fixtures/testkube/documents.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { memorySource } from '../helpers/bson-source.js';

const ORG = 'tkcorg_00000000000000a1';
const ENV = 'tkcenv_00000000000000b2';
let db: TestDatabases;
let engine: TestEngine;
let docs: Document[];

before(async () => {
  db = await createTestDatabases('testkube-executions-load');
  const second = { ...oldExecution(), _id: new ObjectId('66a1b2c3d4e5f60718293a99'), id: '66a1b2c3d4e5f60718293a98', name: 'second-run' };
  docs = [{ ...fullExecution(), _id: new ObjectId('66a1b2c3d4e5f60718293a90') }, second];
  engine = await testEngine(db, { convert_bulk_write_size: '1', convert_work_dir: mkdtempSync(join(tmpdir(), 'mongo2pg-work-')) });
  engine.ctx.db = memorySource({
    environments: [{ _id: ENV, organizationId: ORG, name: 'prod' }],
    [scopedCollectionName('testworkflowresults', ORG, ENV)]: docs,
    [scopedCollectionName('sequences', ORG, ENV)]: [{ _id: 'tw-legacy-name', number: 3, executionType: 'tw' }],
  });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
});
after(async () => {
  await engine.close();
  await db.cleanup();
});

/** A value as node-pg returns it, made comparable with the transform's text form. */
function comparable(value: unknown, type: string): unknown {
  if (value === null) return null;
  if (type === 'timestamp with time zone') return value instanceof Date ? value.getTime() : new Date(value as string).getTime();
  if (type === 'jsonb') return typeof value === 'string' ? JSON.parse(value) : value;
  return value;
}

test('every table holds exactly the transform\'s rows, with PostgreSQL types', async () => {
  await deferConstraints(engine.pool, EXECUTION_TABLES.map((t) => t.table), engine.ctx.logger);
  const [stats] = await runBulkPhase(engine.ctx, [testWorkflowExecutions()], () => undefined);
  await restoreConstraints(engine.pool, engine.ctx.logger);
  assert.deepEqual({ total: stats?.total, successful: stats?.successful, failed: stats?.failed }, { total: 2, successful: 2, failed: 0 });

  const expected = docs.map((d) => transformExecution(d, { organizationId: ORG, environmentId: ENV }));
  for (const spec of EXECUTION_TABLES) {
    const types = new Map((await engine.pool.query<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1', [spec.table])).rows.map((r) => [r.column_name, r.data_type]));
    const want = expected.flatMap((out) => out.filter((o) => o.table === spec.table).flatMap((o) => o.rows))
      .map((row: PgValue[]) => spec.columns.map((c, i) => comparable(row[i], types.get(c) as string)));
    const got = (await engine.pool.query({ text: `SELECT ${spec.columns.join(', ')} FROM ${spec.table}`, rowMode: 'array' })).rows
      .map((row: unknown[]) => spec.columns.map((c, i) => comparable(row[i], types.get(c) as string)));
    const order = (rows: unknown[][]): unknown[][] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    assert.ok(want.length > 0, `the golden documents give rows for ${spec.table}`);
    assert.deepEqual(order(got), order(want), `table ${spec.table}`);
  }
  const { rows } = await engine.pool.query('SELECT count(*)::int AS n FROM test_workflow_executions WHERE id = $1', [EXECUTION_ID]);
  assert.equal(rows[0].n, 1);
});

test('denormalised status and workflow_name equal what the triggers derive', async () => {
  const { rows } = await engine.pool.query(`
    SELECT e.id, e.status, r.status AS result_status, e.workflow_name, w.name AS workflow
      FROM test_workflow_executions e
      LEFT JOIN test_workflow_results r ON r.execution_id = e.id
      LEFT JOIN test_workflows w ON w.execution_id = e.id AND w.workflow_type = 'workflow'`);
  assert.equal(rows.length, 2);
  for (const r of rows) {
    assert.equal(r.status, r.result_status, `status of ${r.id}`);
    assert.equal(r.workflow_name, r.workflow, `workflow_name of ${r.id}`);
  }
  const triggers = await engine.pool.query("SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE 'trg_sync_execution_%' ORDER BY 1");
  assert.deepEqual(triggers.rows, [{ tgname: 'trg_sync_execution_status', tgenabled: 'O' }, { tgname: 'trg_sync_execution_workflow_name', tgenabled: 'O' }], 'triggers are enabled again after the load');
});

test('sequences continue from the highest number Mongo would have issued', async () => {
  const stats = await runExecutionSequences(engine.ctx);
  assert.equal(stats.total, 1);
  assert.equal(stats.successful + stats.skipped, 1);
  const { rows } = await engine.pool.query('SELECT name, number, organization_id, environment_id FROM execution_sequences ORDER BY name');
  const maxima = await engine.pool.query('SELECT workflow_name, max(number)::int AS max FROM test_workflow_executions GROUP BY 1');
  for (const m of maxima.rows) {
    const row = rows.find((r) => r.name === m.workflow_name);
    assert.ok(row, `a sequence row for workflow ${m.workflow_name}`);
    assert.ok(row.number >= m.max, `${m.workflow_name}: sequence ${row.number} >= highest execution number ${m.max}`);
    assert.deepEqual([row.organization_id, row.environment_id], [ORG, ENV]);
  }
  assert.equal(rows.find((r) => r.name === 'legacy-name')?.number, 3, 'a tw- document with no executions keeps its number');
});

test('a sequences read the source breaks off is read again, and lands the same rows', async () => {
  const landed = "SELECT name, number, organization_id, environment_id FROM execution_sequences ORDER BY name";
  const before = await engine.pool.query(landed);
  await engine.pool.query('TRUNCATE execution_sequences');
  // The source goes away once, in the middle of the scope's cursor, as a restart does.
  const db = engine.ctx.db;
  const sequences = scopedCollectionName('sequences', ORG, ENV);
  let broken = 0;
  const flaky: typeof db = {
    ...db,
    collection(name) {
      const collection = db.collection(name);
      if (name !== sequences) return collection;
      return {
        ...collection,
        find(filter, options) {
          const cursor = collection.find(filter, options);
          if (broken++ > 0) return cursor;
          return Object.assign(Object.create(cursor) as typeof cursor, {
            [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoNetworkError' })) }),
          });
        },
      };
    },
  };
  const stats = await runExecutionSequences({ ...engine.ctx, db: flaky });
  assert.equal(broken, 2, 'read twice');
  assert.equal(stats.total, 1);
  assert.equal(stats.successful + stats.skipped, 1);
  assert.ok(before.rows.length > 0);
  assert.deepEqual((await engine.pool.query(landed)).rows, before.rows);
});
