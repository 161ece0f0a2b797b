// Golden tests: one testworkflowresults document → every row of every Testkube table (fact sheet §3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long } from 'mongodb';
import {
  EXECUTION_TABLES,
  executionWorkflowNumber,
  rowId,
  transformExecution,
  type DropReason,
} from '../../app/transform/testkube/index.js';
import type { PgValue, TransformOutput } from '../../app/datasets/types.js';
import { EXECUTION_ID, ZERO_DATE, at, fullExecution, oldExecution } from '../fixtures/testkube/documents.js';

const CTX = { organizationId: 'org-1', environmentId: 'env-1' };
const j = JSON.stringify;

/** The output as { table: rows }, after checking it lists all seven tables in FK order. */
function byTable(out: TransformOutput): Record<string, PgValue[][]> {
  assert.deepEqual(
    out.map((t) => t.table),
    EXECUTION_TABLES.map((t) => t.table),
  );
  for (const [i, t] of out.entries()) for (const row of t.rows) assert.equal(row.length, EXECUTION_TABLES[i]?.columns.length, `${t.table} row width`);
  return Object.fromEntries(out.map((t) => [t.table, t.rows]));
}

const sig = (order: number): string => rowId('test_workflow_signatures', EXECUTION_ID, order);

test('a complete execution maps to whole rows in all seven tables, parents first (§3)', () => {
  const dropped: [string, DropReason][] = [];
  const rows = byTable(transformExecution(fullExecution(), CTX, { onDropped: (p, r) => dropped.push([p, r]) }));

  assert.deepEqual(rows['test_workflow_executions'], [
    [
      EXECUTION_ID,
      'k6-smoke-42',
      'testkube',
      42,
      null, // testworkflowexecutionname "" → NULL (toPgText)
      EXECUTION_ID,
      'runner-eu-1',
      j({ match: { region: ['eu', 'us'] } }), // nil schedulerPolicy/not/replicate omitted
      null, // runneroriginaltarget null → SQL NULL (pointer, §5)
      false,
      j({ env: 'staging' }),
      j({ interface: { name: 'testkube-cli', type: 'cli' }, actor: { name: 'jane', email: 'jane@example.com', type: 'user' } }),
      j({ vus: { value: '10', defaultValue: '1' } }),
      '2025-03-01T10:11:12.300Z',
      '2025-03-01T10:11:13.000Z',
      '2025-03-01T10:12:15.120Z',
      'org-1',
      'env-1',
      j({ variables: { K6_OUT: 'json' } }),
      null, // silentmode null → SQL NULL (§3.1 exception)
      'k6-smoke', // workflow_name, as the trigger would set it
      'passed', // status, as the trigger would set it
    ],
  ]);

  assert.deepEqual(rows['test_workflow_results'], [
    [
      EXECUTION_ID,
      'passed',
      'passed',
      '1m2.82s',
      '1m2.82s',
      62820,
      0,
      62820,
      j([{ ref: 'r2', pausedAt: '2025-03-01T10:11:20Z', resumedAt: '0001-01-01T00:00:00Z' }]),
      j({ status: 'passed', queuedAt: '2025-03-01T10:11:12.3Z', startedAt: '2025-03-01T10:11:14Z', finishedAt: '2025-03-01T10:11:15.5Z' }),
      j({
        r1: { status: 'passed', queuedAt: '0001-01-01T00:00:00Z', startedAt: '2025-03-01T10:11:15.5Z', finishedAt: '2025-03-01T10:11:30Z' },
        r2: {
          errorMessage: 'thresholds crossed',
          status: 'failed',
          exitCode: 99,
          queuedAt: '0001-01-01T00:00:00Z',
          startedAt: '2025-03-01T10:11:30Z',
          finishedAt: '2025-03-01T10:12:15.12Z',
        },
      }),
      '2025-03-01T10:11:12.300Z',
      '2025-03-01T10:11:14.000Z',
      '2025-03-01T10:12:15.120Z',
    ],
  ]);

  // Depth-first pre-order, one counter, parent_id = parent's id (§3.2).
  assert.deepEqual(rows['test_workflow_signatures'], [
    [EXECUTION_ID, 'r1', 'setup', null, false, false, 1, sig(1), null],
    [EXECUTION_ID, 'r1a', 'clone', 'git', true, false, 2, sig(2), sig(1)],
    [EXECUTION_ID, 'r1a1', 'fetch', null, false, true, 3, sig(3), sig(2)],
    [EXECUTION_ID, 'r1b', 'install', null, false, false, 4, sig(4), sig(1)],
    [EXECUTION_ID, 'r2', 'run k6', null, false, false, 5, sig(5), null],
  ]);

  assert.deepEqual(rows['test_workflow_outputs'], [
    [EXECUTION_ID, 'r2', 'artifact', j({ path: 'report.html', size: 1234, ok: true }), 1, rowId('test_workflow_outputs', EXECUTION_ID, 1)],
    [EXECUTION_ID, 'r2', 'empty', null, 2, rowId('test_workflow_outputs', EXECUTION_ID, 2)],
  ]);

  // Zero counts omitted (omitempty); duration is the int64 from the BSON Long.
  assert.deepEqual(rows['test_workflow_reports'], [
    [EXECUTION_ID, 'r2', 'junit', 'junit.xml', j({ tests: 10, passed: 9, failed: 1, duration: 12345 }), 1, rowId('test_workflow_reports', EXECUTION_ID, 1)],
    [EXECUTION_ID, 'r2', 'junit', 'other.xml', null, 2, rowId('test_workflow_reports', EXECUTION_ID, 2)],
  ]);

  assert.deepEqual(rows['test_workflow_resource_aggregations'], [
    [
      EXECUTION_ID,
      j({ cpu: { millicores: { total: 100, min: 1, max: 50, avg: 25.5 } } }),
      j([{ ref: 'r2', aggregations: { memory: { bytes: { max: 1048576, stdDev: 12.25 } } } }]),
    ],
  ]);

  assert.deepEqual(rows['test_workflows'], [
    [
      EXECUTION_ID,
      'workflow',
      'k6-smoke',
      'testkube',
      null,
      j({ team: 'qa', 'app\uff0ekubernetes\uff0eio/name': 'k6' }), // escaped keys copied verbatim (§0)
      j({ 'note.example.com/owner': 'qa' }),
      j({ steps: [{ name: 'run k6', run: { image: 'grafana/k6:0.49.0', args: { value: ['run', 'test.js'] } } }] }),
      false,
      j({ health: { passRate: 0.9, flipRate: 0.1, overallHealth: 0.85 } }),
      '2025-01-10T08:00:00.000Z',
      null, // zero date → NULL
      rowId('test_workflows', EXECUTION_ID, 'workflow'),
    ],
    [
      EXECUTION_ID,
      'resolved_workflow',
      'k6-smoke',
      'testkube',
      'resolved',
      null, // labels nil → SQL NULL (the nil rule)
      null,
      j({ steps: [{ id: 'r2', name: 'run k6', run: { image: 'grafana/k6:0.49.0' } }] }),
      false,
      null, // status null → SQL NULL (pointer, §5)
      '2025-01-10T08:00:00.000Z',
      null,
      rowId('test_workflows', EXECUTION_ID, 'resolved_workflow'),
    ],
  ]);

  // signature.id has no column (§6); _id and a null sync are not worth a report.
  assert.deepEqual(dropped, [['signature[0].id', 'not-stored']]);
});

test('the output is deterministic: a second run gives identical rows and ids', () => {
  assert.deepEqual(transformExecution(fullExecution(), CTX), transformExecution(fullExecution(), CTX));
});

test('a March 2024 document without the later fields maps to zero values and NULLs (§1a)', () => {
  const rows = byTable(transformExecution(oldExecution(), { organizationId: '', environmentId: '' }));
  const id = '65f0c0ffee00000000000002';
  assert.deepEqual(rows['test_workflow_executions'], [
    [
      id,
      'api-tests-7',
      null,
      7,
      null,
      null,
      null,
      null, // runnertarget missing → SQL NULL
      null,
      false,
      null, // tags missing → nil map → SQL NULL (the nil rule)
      null,
      null,
      '2024-03-05T09:00:00.000Z',
      null, // assignedat missing → zero time → NULL
      '2024-03-05T09:01:00.000Z',
      '',
      '',
      null,
      null,
      'api-tests',
      'failed',
    ],
  ]);
  assert.deepEqual(rows['test_workflow_results'], [
    [
      id,
      'failed',
      'failed',
      '1m0s',
      null,
      60000,
      0,
      0,
      null,
      null,
      j({ a1: { errorMessage: 'exit 1', status: 'failed', exitCode: 1, queuedAt: '0001-01-01T00:00:00Z', startedAt: '0001-01-01T00:00:00Z', finishedAt: '0001-01-01T00:00:00Z' } }),
      '2024-03-05T09:00:00.000Z',
      '2024-03-05T09:00:01.000Z',
      '2024-03-05T09:01:00.000Z',
    ],
  ]);
  assert.deepEqual(rows['test_workflow_signatures'], [[id, 'a1', 'run', null, false, false, 1, rowId('test_workflow_signatures', id, 1), null]]);
  assert.deepEqual(rows['test_workflow_outputs'], []);
  assert.deepEqual(rows['test_workflow_reports'], []); // reports missing: Insert treats nil as [] (§3)
  assert.deepEqual(rows['test_workflow_resource_aggregations'], []);
  assert.deepEqual(rows['test_workflows'], [
    [id, 'workflow', 'api-tests', 'default', null, null, null, j({ steps: [{ shell: 'npm test' }] }), false, null, null, null, rowId('test_workflows', id, 'workflow')],
  ]);
});

test('null and missing are SQL NULL in every jsonb column, {} and [] are JSON (§6, the nil rule)', () => {
  const doc = {
    id: 'e-empty',
    name: 'x',
    runnertarget: {}, // non-nil pointer to an empty struct: '{}'
    runneroriginaltarget: null,
    tags: {},
    runningcontext: {}, // non-nil: non-omitempty pointers inside are written as null
    configparams: {},
    runtime: {},
    silentmode: {},
    signature: [],
    result: { status: 'queued', pauses: [], initialization: {}, steps: {} },
    output: [],
    reports: [],
    workflow: { name: 'w', labels: {}, annotations: {}, spec: {}, status: {} },
    resolvedworkflow: { name: 'w', labels: null, spec: null, status: null },
  };
  const rows = byTable(transformExecution(doc, CTX));
  const e = rows['test_workflow_executions']?.[0];
  assert.deepEqual(e, [
    'e-empty', 'x', null, 0, null, null, null,
    '{}', null, false, '{}', j({ interface: null, actor: null }), '{}',
    null, null, null, 'org-1', 'env-1', '{}', '{}', 'w', 'queued',
  ]);
  assert.deepEqual(rows['test_workflow_results'], [
    ['e-empty', 'queued', null, null, null, 0, 0, 0, '[]', j({ queuedAt: '0001-01-01T00:00:00Z', startedAt: '0001-01-01T00:00:00Z', finishedAt: '0001-01-01T00:00:00Z' }), '{}', null, null, null],
  ]);
  assert.deepEqual(rows['test_workflow_signatures'], []);
  assert.deepEqual(rows['test_workflow_outputs'], []);
  assert.deepEqual(rows['test_workflow_reports'], []);
  assert.deepEqual(rows['test_workflows'], [
    ['e-empty', 'workflow', 'w', null, null, '{}', '{}', '{}', false, '{}', null, null, rowId('test_workflows', 'e-empty', 'workflow')],
    ['e-empty', 'resolved_workflow', 'w', null, null, null, null, null, false, null, null, null, rowId('test_workflows', 'e-empty', 'resolved_workflow')],
  ]);
});

test('nil steps are SQL NULL (the "initialized" filter tests steps IS NULL, §5)', () => {
  const rows = byTable(transformExecution({ id: 'e', name: 'x', result: { status: 'queued', steps: null } }, CTX));
  assert.deepEqual(rows['test_workflow_results'], [['e', 'queued', null, null, null, 0, 0, 0, null, null, null, null, null, null]]);
});

test('a result with a null status still gets its row; status stays NULL on both tables (§5)', () => {
  const rows = byTable(transformExecution({ id: 'e', name: 'x', result: { status: null, predictedstatus: 'passed', durationms: 5 } }, CTX));
  assert.deepEqual(rows['test_workflow_results'], [['e', null, 'passed', null, null, 5, 0, 0, null, null, null, null, null, null]]);
  assert.equal(rows['test_workflow_executions']?.[0]?.[21], null);
});

test('an empty-string status is NULL too (toPgText)', () => {
  const rows = byTable(transformExecution({ id: 'e', name: 'x', result: { status: '' } }, CTX));
  assert.equal(rows['test_workflow_results']?.[0]?.[1], null);
});

test('resource aggregations: both null → one row with SQL NULL twice, as the converter writes it; the report itself null → no row', () => {
  const both = byTable(transformExecution({ id: 'e', name: 'x', resourceaggregations: { global: null, step: null } }, CTX));
  assert.deepEqual(both['test_workflow_resource_aggregations'], [['e', null, null]]);
  const none = byTable(transformExecution({ id: 'e', name: 'x', resourceaggregations: null }, CTX));
  assert.deepEqual(none['test_workflow_resource_aggregations'], []);
  const empty = byTable(transformExecution({ id: 'e', name: 'x', resourceaggregations: { global: {}, step: [] } }, CTX));
  assert.deepEqual(empty['test_workflow_resource_aggregations'], [['e', '{}', '[]']]);
});

test('outputs and reports keep array order in out_order / rep_order 1..n (§3.4, §3.5)', () => {
  const doc = {
    id: 'e',
    name: 'x',
    output: [{ ref: 'c', name: 'third?' }, null, { ref: 'a', name: 'n', value: { v: [1, 'two', null] } }],
    reports: [{ ref: 's1', kind: 'junit', file: 'b.xml' }, { ref: 's2', kind: 'junit', file: 'a.xml', summary: {} }],
  };
  const rows = byTable(transformExecution(doc, CTX));
  assert.deepEqual(rows['test_workflow_outputs'], [
    ['e', 'c', 'third?', null, 1, rowId('test_workflow_outputs', 'e', 1)],
    ['e', null, null, null, 2, rowId('test_workflow_outputs', 'e', 2)], // a null element decodes to a zero struct
    ['e', 'a', 'n', j({ v: [1, 'two', null] }), 3, rowId('test_workflow_outputs', 'e', 3)],
  ]);
  assert.deepEqual(rows['test_workflow_reports'], [
    ['e', 's1', 'junit', 'b.xml', null, 1, rowId('test_workflow_reports', 'e', 1)],
    ['e', 's2', 'junit', 'a.xml', '{}', 2, rowId('test_workflow_reports', 'e', 2)],
  ]);
});

test('signatures nested three deep get pre-order sig_order and their parent ids', () => {
  const leaf = (ref: string): Record<string, unknown> => ({ ref, name: ref, children: null });
  const doc = {
    id: 'e',
    name: 'x',
    signature: [
      { ref: 'a', name: 'a', children: [{ ref: 'a.1', name: 'a.1', children: [leaf('a.1.i'), leaf('a.1.ii')] }, leaf('a.2')] },
      { ref: 'b', name: 'b', children: [{ ref: 'b.1', name: 'b.1', children: [leaf('b.1.i')] }] },
    ],
  };
  const rows = byTable(transformExecution(doc, CTX))['test_workflow_signatures'] ?? [];
  const id = (n: number): string => rowId('test_workflow_signatures', 'e', n);
  assert.deepEqual(
    rows.map((r) => [r[1], r[6], r[7], r[8]]),
    [
      ['a', 1, id(1), null],
      ['a.1', 2, id(2), id(1)],
      ['a.1.i', 3, id(3), id(2)],
      ['a.1.ii', 4, id(4), id(2)],
      ['a.2', 5, id(5), id(1)],
      ['b', 6, id(6), null],
      ['b.1', 7, id(7), id(6)],
      ['b.1.i', 8, id(8), id(7)],
    ],
  );
  assert.deepEqual(rows[2], ['e', 'a.1.i', 'a.1.i', null, false, false, 3, id(3), id(2)]);
});

test('zero dates: NULL in columns, "0001-01-01T00:00:00Z" inside JSONB; millis trimmed in JSON (§0)', () => {
  const doc = {
    id: 'e',
    name: 'x',
    scheduledat: ZERO_DATE(),
    assignedat: null,
    statusat: at('2025-01-02T03:04:05.010Z'),
    result: { status: 'passed', queuedat: ZERO_DATE(), pauses: [{ ref: 'p', pausedat: at('2025-01-02T03:04:05.100Z'), resumedat: null }] },
  };
  const rows = byTable(transformExecution(doc, CTX));
  const e = rows['test_workflow_executions']?.[0] ?? [];
  // scheduled_at: the zero date is unusable, so the time repair takes the earliest usable anchor (statusat).
  assert.deepEqual(e.slice(13, 16), ['2025-01-02T03:04:05.010Z', null, '2025-01-02T03:04:05.010Z']);
  const r = rows['test_workflow_results']?.[0] ?? [];
  assert.deepEqual(r[8], j([{ ref: 'p', pausedAt: '2025-01-02T03:04:05.1Z', resumedAt: '0001-01-01T00:00:00Z' }]));
  assert.deepEqual(r.slice(11), [null, null, null]);
});

test('number and durationms stored as Long, Double or Int32 are cast to int32; negatives copied (§6)', () => {
  const doc = {
    id: 'e',
    name: 'x',
    number: Long.fromNumber(12),
    result: { status: 'passed', durationms: new Double(1500), pausedms: new Int32(-2147483648), totaldurationms: -5 },
  };
  const rows = byTable(transformExecution(doc, CTX));
  assert.equal(rows['test_workflow_executions']?.[0]?.[3], 12);
  assert.deepEqual(rows['test_workflow_results']?.[0]?.slice(5, 8), [1500, -2147483648, -5]);
});

test('dropped fields are reported: unknown keys, legacy config, signature ids, workflow sync (§1a, §6)', () => {
  const dropped: [string, DropReason][] = [];
  transformExecution(
    {
      _id: 'ignored',
      id: 'e',
      name: 'x',
      config: { old: 'value' },
      futurefield: 1,
      signature: [{ ref: 'a', id: 'sig-a', children: [{ ref: 'b', id: 'sig-b' }] }],
      workflow: { name: 'w', sync: { creationsource: 'git' }, spec: { steps: [{ name: 's', bogus: true }] } },
    },
    CTX,
    { onDropped: (p, r) => dropped.push([p, r]) },
  );
  assert.deepEqual(dropped, [
    ['config', 'legacy-field'],
    ['futurefield', 'unknown-field'],
    ['signature[0].id', 'not-stored'],
    ['signature[0].children[0].id', 'not-stored'],
    ['workflow.sync', 'not-stored'],
    ['workflow.spec.steps[0].bogus', 'unknown-field'],
  ]);
});

test('keys in another case decode into the same Go field, as the Go driver matches lowercase too', () => {
  const rows = byTable(transformExecution({ id: 'e', Name: 'upper', Result: { Status: 'passed', DurationMs: 3 } }, CTX));
  assert.equal(rows['test_workflow_executions']?.[0]?.[1], 'upper');
  assert.deepEqual(rows['test_workflow_results']?.[0]?.slice(0, 6), ['e', 'passed', null, null, null, 3]);
});

test('executionWorkflowNumber gives the sequences safeguard its (workflow, number) pair', () => {
  assert.deepEqual(executionWorkflowNumber(fullExecution()), { workflowName: 'k6-smoke', number: 42 });
  assert.deepEqual(executionWorkflowNumber({ id: 'e', number: new Double(9), workflow: { name: 'w' } }), { workflowName: 'w', number: 9 });
  assert.equal(executionWorkflowNumber({ id: 'e', number: 3, workflow: null }), undefined);
  assert.equal(executionWorkflowNumber({ id: 'e', number: 3, workflow: { name: '' } }), undefined);
});
