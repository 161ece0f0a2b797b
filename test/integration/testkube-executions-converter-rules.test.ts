// The two rules that make mongo2pg's execution rows agree with Testkube's own converter, through
// the real bulk path into real PostgreSQL (docs/testkube-executions.md):
//   - the nil rule: a nil jsonb value is SQL NULL, so the filters of Testkube's PostgreSQL
//     repository (jsonb `?`, `IS NULL`, jsonb_typeof) answer as on the converter's rows, which
//     hold SQL NULL there;
//   - the legacy time repair: applied by the load, counted in the run's statistics, and expected
//     by verification.
// Expected answers are worked out from the rules for the four documents below.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId, type Document } from 'mongodb';
import { testWorkflowExecutions } from '../../app/datasets/bulk/test-workflow-executions.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { deferConstraints, restoreConstraints } from '../../app/engine/deferred-constraints.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { scopedCollectionName } from '../../app/source/collections.js';
import { EXECUTION_TABLES } from '../../app/transform/testkube/index.js';
import { verify } from '../../app/verify/verify.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { EXECUTION_JSONB_COLUMNS, at } from '../fixtures/testkube/documents.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { memorySource } from '../helpers/bson-source.js';

const ORG = 'tkcorg_00000000000000c1';
const ENV = 'tkcenv_00000000000000c2';
let db: TestDatabases;
let engine: TestEngine;

const oid = (n: number): ObjectId => new ObjectId(n.toString(16).padStart(24, '0'));
const docs: Document[] = [
  // a: legacy, queued, nil tags, workflow without labels, nil steps; no scheduledat → repaired from statusat
  { _id: oid(1), id: 'a', name: 'w-1', statusat: at('2024-01-01T00:00:05Z'), tags: null, result: { status: 'queued', steps: null }, workflow: { name: 'w', labels: null, spec: {} } },
  // b: empty tags and labels, queued with empty steps
  { _id: oid(2), id: 'b', name: 'w-2', scheduledat: at('2024-01-02T00:00:00Z'), tags: {}, result: { status: 'queued', steps: {} }, workflow: { name: 'w', labels: {}, spec: {} } },
  // c: a tag and a label
  { _id: oid(3), id: 'c', name: 'w-3', scheduledat: at('2024-01-03T00:00:00Z'), tags: { k: 'v' }, result: { status: 'passed', steps: {} }, workflow: { name: 'w', labels: { app: 'x' }, spec: {} } },
  // d: legacy, finished, durations wrapped negative; no scheduledat → earliest anchor queuedat, durations recomputed
  {
    _id: oid(4), id: 'd', name: 'w-4', assignedat: at('2024-01-04T00:00:03Z'),
    result: { status: 'failed', queuedat: at('2024-01-04T00:00:01Z'), finishedat: at('2024-01-04T00:01:31.5Z'), durationms: -1, totaldurationms: -2, pausedms: 500 },
  },
];

before(async () => {
  db = await createTestDatabases('testkube-executions-converter-rules');
  engine = await testEngine(db, { convert_work_dir: mkdtempSync(join(tmpdir(), 'mongo2pg-work-')) });
  engine.ctx.db = memorySource({
    environments: [{ _id: ENV, organizationId: ORG, name: 'prod' }],
    [scopedCollectionName('testworkflowresults', ORG, ENV)]: docs,
  });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
});
after(async () => {
  await engine.close();
  await db.cleanup();
});

const ids = async (sql: string): Promise<string[]> => (await engine.pool.query<{ id: string }>(sql)).rows.map((r) => r.id);

test('the load repairs legacy times, counts them in the statistics, and verification expects the repaired rows', async () => {
  await deferConstraints(engine.pool, EXECUTION_TABLES.map((t) => t.table), engine.ctx.logger);
  const [stats] = await runBulkPhase(engine.ctx, [testWorkflowExecutions()], () => undefined);
  await restoreConstraints(engine.pool, engine.ctx.logger);
  assert.deepEqual({ total: stats?.total, successful: stats?.successful, failed: stats?.failed }, { total: 4, successful: 4, failed: 0 });
  assert.deepEqual(stats?.notes?.map((n) => [n.field, n.count]), [['scheduling_time_repaired', 2], ['durations_recomputed', 1]]);

  const { rows } = await engine.pool.query(`
    SELECT e.id, to_char(e.scheduled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS scheduled, r.duration, r.total_duration, r.duration_ms, r.paused_ms, r.total_duration_ms
      FROM test_workflow_executions e LEFT JOIN test_workflow_results r ON r.execution_id = e.id ORDER BY e.id`);
  assert.deepEqual(rows.map((r) => [r.id, r.scheduled, r.duration, r.total_duration, r.duration_ms, r.paused_ms, r.total_duration_ms]), [
    ['a', '2024-01-01T00:00:05.000', null, null, 0, 0, 0],
    ['b', '2024-01-02T00:00:00.000', null, null, 0, 0, 0],
    ['c', '2024-01-03T00:00:00.000', null, null, 0, 0, 0],
    // total 1m30.5s from queuedat; duration 1m30.5s − 500ms
    ['d', '2024-01-04T00:00:01.000', '1m30s', '1m30.5s', 90000, 500, 90500],
  ]);

  const report = await verify({ config: engine.config, db: engine.ctx.db, pool: engine.pool, logger: engine.ctx.logger, signal: new AbortController().signal, sequences: false }, [testWorkflowExecutions()]);
  assert.deepEqual(report.dataSets.flatMap((d) => d.problems), []);
  assert.deepEqual(report.tableProblems, []);
  assert.equal(report.ok, true);
});

test('nil jsonb values are SQL NULL, so the repository\'s filters answer as on the converter\'s rows', async () => {
  // The unit tests of the rule cover these columns: every jsonb column of the seven tables.
  const tables = EXECUTION_TABLES.map((t) => t.table);
  const jsonbColumns = await engine.pool.query<{ c: string }>(
    "SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE data_type = 'jsonb' AND table_name = ANY($1) ORDER BY array_position($1, table_name::text), ordinal_position",
    [tables],
  );
  assert.deepEqual(jsonbColumns.rows.map((r) => r.c), EXECUTION_JSONB_COLUMNS);
  const nulls = await engine.pool.query(`
    SELECT e.id, e.tags IS NULL AS tags, w.labels IS NULL AS labels, r.steps IS NULL AS steps
      FROM test_workflow_executions e
      LEFT JOIN test_workflow_results r ON r.execution_id = e.id
      LEFT JOIN test_workflows w ON w.execution_id = e.id AND w.workflow_type = 'workflow'
     ORDER BY e.id`);
  assert.deepEqual(nulls.rows.map((r) => [r.id, r.tags, r.labels, r.steps]), [
    ['a', true, true, true],
    ['b', false, false, false],
    ['c', false, false, false],
    ['d', true, true, true], // no workflow row: the LEFT JOIN gives NULL as well
  ]);
  // A tag filter "k:not_exists" is NOT (tags ? 'k'): NULL on SQL NULL tags, so a and d do not
  // match, as on the converter's rows (the JSON literal null would have matched: 'null'::jsonb ? 'k' is false).
  assert.deepEqual(await ids("SELECT id FROM test_workflow_executions WHERE NOT (tags ? 'k') ORDER BY id"), ['b']);
  assert.deepEqual(await ids("SELECT id FROM test_workflow_executions WHERE tags ? 'k' ORDER BY id"), ['c']);
  assert.deepEqual(await ids("SELECT e.id FROM test_workflow_executions e JOIN test_workflows w ON w.execution_id = e.id AND w.workflow_type = 'workflow' WHERE NOT (w.labels ? 'app') ORDER BY e.id"), ['b']);
  // Listing tag pairs reads objects only.
  const pairs = await engine.pool.query("SELECT e.id, t.key, t.value FROM test_workflow_executions e CROSS JOIN LATERAL jsonb_each_text(e.tags) AS t(key, value) WHERE e.tags IS NOT NULL AND jsonb_typeof(e.tags) = 'object' ORDER BY 1, 2");
  assert.deepEqual(pairs.rows.map((r) => [r.id, r.key, r.value]), [['c', 'k', 'v']]);
  // "Not initialized": queued with no steps (NULL or {}).
  assert.deepEqual(await ids("SELECT e.id FROM test_workflow_executions e JOIN test_workflow_results r ON r.execution_id = e.id WHERE e.status = 'queued' AND (r.steps IS NULL OR r.steps = '{}'::jsonb) ORDER BY e.id"), ['a', 'b']);
});
