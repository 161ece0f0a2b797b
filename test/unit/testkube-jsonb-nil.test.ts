// Golden tests for the nil rule, column by column (docs/testkube-executions.md, "SQL NULL or JSON
// null"): in every jsonb column of the executions tables, a nil value (BSON null or a missing key)
// is SQL NULL, as Testkube's converter writes it; a non-nil value, empty ones included, is the
// JSON Go writes for it. Expected values are written from that rule and Go's encoding/json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXECUTION_TABLES, transformExecution } from '../../app/transform/testkube/index.js';
import type { PgValue } from '../../app/datasets/types.js';
import { EXECUTION_JSONB_COLUMNS } from '../fixtures/testkube/documents.js';

const ZERO = '0001-01-01T00:00:00Z';
const j = JSON.stringify;

interface Column {
  table: string;
  column: string;
  /** The document with the field set to `value` (undefined: the key is left out). */
  doc(value: unknown): Record<string, unknown>;
  /** A non-nil empty value of the Go type and the JSON Go writes for it. */
  empty: [unknown, string];
}

const base = { id: 'e', name: 'x' };
const withKey = (key: string, value: unknown): Record<string, unknown> => (value === undefined ? {} : { [key]: value });
const top = (key: string) => (value: unknown) => ({ ...base, ...withKey(key, value) });
const inResult = (key: string) => (value: unknown) => ({ ...base, result: { status: 'passed', ...withKey(key, value) } });
const inOutput = (value: unknown) => ({ ...base, output: [{ ref: 'r', name: 'o', ...withKey('value', value) }] });
const inReport = (value: unknown) => ({ ...base, reports: [{ ref: 'r', kind: 'junit', file: 'f.xml', ...withKey('summary', value) }] });
// The other part is set, so the row's presence never depends on the column under test.
const inAggregations = (key: 'global' | 'step') => (value: unknown) => ({
  ...base,
  resourceaggregations: key === 'global' ? { step: [], ...withKey('global', value) } : { global: {}, ...withKey('step', value) },
});
const inWorkflow = (key: string) => (value: unknown) => ({ ...base, workflow: { name: 'w', ...withKey(key, value) } });

const COLUMNS: Column[] = [
  { table: 'test_workflow_executions', column: 'runner_target', doc: top('runnertarget'), empty: [{}, '{}'] },
  { table: 'test_workflow_executions', column: 'runner_original_target', doc: top('runneroriginaltarget'), empty: [{}, '{}'] },
  { table: 'test_workflow_executions', column: 'tags', doc: top('tags'), empty: [{}, '{}'] },
  { table: 'test_workflow_executions', column: 'running_context', doc: top('runningcontext'), empty: [{}, j({ interface: null, actor: null })] },
  { table: 'test_workflow_executions', column: 'config_params', doc: top('configparams'), empty: [{}, '{}'] },
  { table: 'test_workflow_executions', column: 'runtime', doc: top('runtime'), empty: [{}, '{}'] },
  { table: 'test_workflow_executions', column: 'silent_mode', doc: top('silentmode'), empty: [{}, '{}'] },
  { table: 'test_workflow_results', column: 'pauses', doc: inResult('pauses'), empty: [[], '[]'] },
  { table: 'test_workflow_results', column: 'initialization', doc: inResult('initialization'), empty: [{}, j({ queuedAt: ZERO, startedAt: ZERO, finishedAt: ZERO })] },
  { table: 'test_workflow_results', column: 'steps', doc: inResult('steps'), empty: [{}, '{}'] },
  { table: 'test_workflow_outputs', column: 'value', doc: inOutput, empty: [{}, '{}'] },
  { table: 'test_workflow_reports', column: 'summary', doc: inReport, empty: [{}, '{}'] },
  { table: 'test_workflow_resource_aggregations', column: 'global', doc: inAggregations('global'), empty: [{}, '{}'] },
  { table: 'test_workflow_resource_aggregations', column: 'step', doc: inAggregations('step'), empty: [[], '[]'] },
  { table: 'test_workflows', column: 'labels', doc: inWorkflow('labels'), empty: [{}, '{}'] },
  { table: 'test_workflows', column: 'annotations', doc: inWorkflow('annotations'), empty: [{}, '{}'] },
  { table: 'test_workflows', column: 'spec', doc: inWorkflow('spec'), empty: [{}, '{}'] },
  { table: 'test_workflows', column: 'status', doc: inWorkflow('status'), empty: [{}, '{}'] },
];

function cell(doc: Record<string, unknown>, table: string, column: string): PgValue | undefined {
  const spec = EXECUTION_TABLES.find((t) => t.table === table);
  assert.ok(spec, table);
  const i = (spec.columns as readonly string[]).indexOf(column);
  assert.ok(i >= 0, `${table}.${column}`);
  const rows = transformExecution(doc, { organizationId: '', environmentId: '' }).find((t) => t.table === table)?.rows ?? [];
  assert.equal(rows.length, 1, `${table} has one row for the document`);
  return rows[0]?.[i];
}

test('the table below covers every jsonb column of the executions tables', () => {
  assert.deepEqual(COLUMNS.map((c) => `${c.table}.${c.column}`), EXECUTION_JSONB_COLUMNS);
});

for (const c of COLUMNS) {
  test(`${c.table}.${c.column}: null → SQL NULL, missing → SQL NULL, empty → ${c.empty[1]}`, () => {
    assert.equal(cell(c.doc(null), c.table, c.column), null, 'BSON null');
    assert.equal(cell(c.doc(undefined), c.table, c.column), null, 'missing key');
    assert.equal(cell(c.doc(c.empty[0]), c.table, c.column), c.empty[1], 'empty, non-nil');
  });
}

test('resource aggregations with both parts nil: the row is written, NULL in both columns (as the converter writes it)', () => {
  const rows = transformExecution({ ...base, resourceaggregations: {} }, { organizationId: '', environmentId: '' }).find((t) => t.table === 'test_workflow_resource_aggregations')?.rows;
  assert.deepEqual(rows, [['e', null, null]]);
});
