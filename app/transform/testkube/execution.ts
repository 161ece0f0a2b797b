/**
 * One `testworkflowresults` document → the rows Testkube's PostgreSQL repository would hold for
 * it, such that its readers return what the MongoDB repository returned (fact sheet §3, §5).
 * Pure: no I/O; ids of child rows are derived deterministically (ids.ts).
 */
import type { Document } from 'mongodb';
import type { PgValue, TransformOutput } from '../../datasets/types.js';
import {
  EXECUTIONS_TABLE,
  OUTPUTS_TABLE,
  REPORTS_TABLE,
  RESOURCE_AGGREGATIONS_TABLE,
  RESULTS_TABLE,
  SIGNATURES_TABLE,
  VARCHAR,
  WORKFLOWS_TABLE,
} from './columns.js';
import { encodeGo, goType, readStruct, type WalkOptions } from './go-json.js';
import { rowId } from './ids.js';
import { child, fail, FieldProblem, index, toTransformError } from './problems.js';
import { bsonKind, decodeBool, decodeInt32, decodeString, decodeTime, isNullish } from './scalars.js';
import { checkLength, checkText, pgText } from './text.js';
import { pgTimestamp } from './time.js';

/** Data set name used in error context. */
export const TESTKUBE_EXECUTIONS_DATA_SET = 'testkube_executions';

export interface ExecutionContext {
  /** The values the target Testkube repository is built with; OSS uses '' and '' (fact sheet §3). */
  organizationId: string;
  environmentId: string;
}

type Fields = Map<string, unknown>;
type Row = PgValue[];

const WORKFLOW_NAME = WORKFLOWS_TABLE.columns.indexOf('name');
const RESULT_STATUS = RESULTS_TABLE.columns.indexOf('status');

/**
 * Rows for test_workflow_executions, test_workflow_results, test_workflow_signatures,
 * test_workflow_outputs, test_workflow_reports, test_workflow_resource_aggregations and
 * test_workflows, always in that order (parents first), columns as in columns.ts.
 * Throws TransformError (context.reason says why) when a value cannot be stored faithfully.
 */
export function transformExecution(doc: Document, ctx: ExecutionContext, options: WalkOptions = {}): TransformOutput {
  const recordId = typeof doc['id'] === 'string' ? doc['id'] : undefined;
  try {
    return mapExecution(doc, ctx, topLevelOptions(options));
  } catch (err) {
    if (err instanceof FieldProblem) throw toTransformError(err, TESTKUBE_EXECUTIONS_DATA_SET, recordId);
    throw err;
  }
}

/** `_id` is Mongo's own key (not in the model); `config` is the legacy field current code ignores (§1a). */
function topLevelOptions(options: WalkOptions): WalkOptions {
  const { onDropped } = options;
  if (!onDropped) return options;
  return {
    onDropped: (path, reason) => {
      if (path === '_id') return;
      onDropped(path, path === 'config' ? 'legacy-field' : reason);
    },
  };
}

function mapExecution(doc: Document, ctx: ExecutionContext, options: WalkOptions): TransformOutput {
  const top = readStruct('TestWorkflowExecution', doc, '', options);
  const id = decodeString(top.get('id'), 'id');
  if (id === '') fail('id', 'missing-id', 'the execution has no id');
  checkLength(id, VARCHAR.id, 'id');
  const organizationId = checkLength(checkText(ctx.organizationId, 'organizationId'), VARCHAR.id, 'organizationId');
  const environmentId = checkLength(checkText(ctx.environmentId, 'environmentId'), VARCHAR.id, 'environmentId');

  const execution: Row = [
    id,
    checkLength(decodeString(top.get('name'), 'name'), VARCHAR.name, 'name'), // NOT NULL: "" stays ""
    text(top, 'namespace', VARCHAR.name),
    decodeInt32(top.get('number'), 'number'),
    text(top, 'testworkflowexecutionname', VARCHAR.name),
    text(top, 'groupid', VARCHAR.id),
    text(top, 'runnerid', VARCHAR.id),
    pointerJson(top, 'runnertarget', '*ExecutionTarget', options),
    pointerJson(top, 'runneroriginaltarget', '*ExecutionTarget', options),
    decodeBool(top.get('disablewebhooks'), 'disablewebhooks'),
    valueJson(top, 'tags', 'map[string]string', options),
    pointerJson(top, 'runningcontext', '*TestWorkflowRunningContext', options),
    valueJson(top, 'configparams', 'map[string]TestWorkflowExecutionConfigValue', options),
    timestamp(top, 'scheduledat'),
    timestamp(top, 'assignedat'),
    timestamp(top, 'statusat'),
    organizationId,
    environmentId,
    pointerJson(top, 'runtime', '*TestWorkflowExecutionRuntime', options),
    pointerJson(top, 'silentmode', '*SilentMode', options),
  ];

  const signatures: Row[] = [];
  signatureRows(id, top.get('signature'), 'signature', null, { next: 1 }, signatures, options);
  const result = resultRow(id, top.get('result'), options);
  const outputs = outputRows(id, top.get('output'), options);
  const reports = reportRows(id, top.get('reports'), options);
  const aggregations = aggregationRows(id, top.get('resourceaggregations'), options);
  const workflow = workflowRow(id, 'workflow', top.get('workflow'), options);
  const resolvedWorkflow = workflowRow(id, 'resolved_workflow', top.get('resolvedworkflow'), options);

  // The denormalised columns the triggers would fill (§2, §5), since the bulk load runs without
  // triggers: the 'workflow' row's name and the result's status, NULL when those rows are absent.
  execution.push(workflow ? workflow[WORKFLOW_NAME] ?? null : null, result ? result[RESULT_STATUS] ?? null : null);

  return [
    { table: EXECUTIONS_TABLE.table, rows: [execution] },
    { table: RESULTS_TABLE.table, rows: result ? [result] : [] },
    { table: SIGNATURES_TABLE.table, rows: signatures },
    { table: OUTPUTS_TABLE.table, rows: outputs },
    { table: REPORTS_TABLE.table, rows: reports },
    { table: RESOURCE_AGGREGATIONS_TABLE.table, rows: aggregations },
    { table: WORKFLOWS_TABLE.table, rows: [workflow, resolvedWorkflow].filter((row): row is Row => row !== undefined) },
  ];
}

/** Testkube's toPgText: "" → NULL; the path is the BSON key, prefixed by `at`. */
function text(fields: Fields, key: string, max: number | undefined, at = ''): string | null {
  const path = child(at, key);
  return pgText(decodeString(fields.get(key), path), path, max);
}

function timestamp(fields: Fields, key: string, at = ''): string | null {
  const path = child(at, key);
  return pgTimestamp(decodeTime(fields.get(key), path), path);
}

/**
 * Pointer-typed JSONB (runner targets, running_context, runtime, silent_mode, initialization,
 * spec, workflow status): SQL NULL for a nil pointer, because fromJSONB turns the JSON literal
 * 'null' into a non-nil empty struct and Mongo gave nil (§5).
 */
function pointerJson(fields: Fields, key: string, type: string, options: WalkOptions, at = ''): string | null {
  const value = fields.get(key);
  if (isNullish(value)) return null;
  return encodeGo(goType(type), value, child(at, key), options).json;
}

/**
 * Map- and slice-typed JSONB (tags, config_params, pauses, labels, annotations, output value,
 * report summary, aggregations): Testkube writes a nil one as the JSON literal 'null' (§3) and
 * both 'null' and NULL read back as nil, so this stays what Testkube itself writes. `{}` and `[]`
 * are kept, as they read back as empty, non-nil values like Mongo's (§6).
 */
function valueJson(fields: Fields, key: string, type: string, options: WalkOptions, at = ''): string {
  return encodeGo(goType(type), fields.get(key), child(at, key), options).json;
}

function resultRow(executionId: string, value: unknown, options: WalkOptions): Row | undefined {
  if (isNullish(value)) return undefined; // written only when non-nil (§3.3)
  const at = 'result';
  const r = readStruct('TestWorkflowResult', value, at, options);
  // *TestWorkflowStatus: nil → NULL, and "" → NULL via toPgText. A NULL status reads back as
  // result = nil (§5); that loss is Testkube's and cannot be avoided.
  const status = (key: string): string | null => (isNullish(r.get(key)) ? null : text(r, key, VARCHAR.status, at));
  const steps = r.get('steps');
  return [
    executionId,
    status('status'),
    status('predictedstatus'),
    text(r, 'duration', VARCHAR.duration, at),
    text(r, 'totalduration', VARCHAR.duration, at),
    // Copied, never recomputed (§3.3).
    decodeInt32(r.get('durationms'), child(at, 'durationms')),
    decodeInt32(r.get('pausedms'), child(at, 'pausedms')),
    decodeInt32(r.get('totaldurationms'), child(at, 'totaldurationms')),
    valueJson(r, 'pauses', '[]TestWorkflowPause', options, at),
    pointerJson(r, 'initialization', '*TestWorkflowStepResult', options, at),
    // NULL rather than 'null' for nil steps: the "initialized" filter tests `steps IS NULL` (§5).
    isNullish(steps) ? null : valueJson(r, 'steps', 'map[string]TestWorkflowStepResult', options, at),
    timestamp(r, 'queuedat', at),
    timestamp(r, 'startedat', at),
    timestamp(r, 'finishedat', at),
  ];
}

/**
 * Depth-first pre-order, one counter for the whole tree so sig_order runs 1..n, parent_id the
 * parent's id, NULL for roots (§3.2). `signature[].id` has no column and is lost (§6).
 */
function signatureRows(
  executionId: string,
  value: unknown,
  path: string,
  parentId: string | null,
  counter: { next: number },
  rows: Row[],
  options: WalkOptions,
): void {
  for (const [i, node] of elements(value, path).entries()) {
    const at = index(path, i);
    const s = readStruct('TestWorkflowSignature', node, at, options);
    if (decodeString(s.get('id'), child(at, 'id')) !== '') options.onDropped?.(child(at, 'id'), 'not-stored');
    const order = counter.next++;
    const id = rowId(SIGNATURES_TABLE.table, executionId, order);
    rows.push([
      executionId,
      text(s, 'ref', VARCHAR.name, at),
      text(s, 'name', VARCHAR.name, at),
      text(s, 'category', VARCHAR.name, at),
      decodeBool(s.get('optional'), child(at, 'optional')),
      decodeBool(s.get('negative'), child(at, 'negative')),
      order,
      id,
      parentId,
    ]);
    signatureRows(executionId, s.get('children'), child(at, 'children'), id, counter, rows, options);
  }
}

/** out_order = index + 1; value is the free-form map's JSON or 'null' (§3.4). */
function outputRows(executionId: string, value: unknown, options: WalkOptions): Row[] {
  return elements(value, 'output').map((item, i) => {
    const at = index('output', i);
    const o = readStruct('TestWorkflowOutput', item, at, options);
    return [
      executionId,
      text(o, 'ref', VARCHAR.name, at),
      text(o, 'name', VARCHAR.name, at),
      valueJson(o, 'value', 'map[string]interface{}', options, at),
      i + 1,
      rowId(OUTPUTS_TABLE.table, executionId, i + 1),
    ];
  });
}

/** rep_order = 1..n on a fresh insert; summary JSON or 'null' (§3.5). */
function reportRows(executionId: string, value: unknown, options: WalkOptions): Row[] {
  return elements(value, 'reports').map((item, i) => {
    const at = index('reports', i);
    const r = readStruct('TestWorkflowReport', item, at, options);
    return [
      executionId,
      text(r, 'ref', VARCHAR.name, at),
      text(r, 'kind', VARCHAR.name, at),
      text(r, 'file', VARCHAR.file, at),
      valueJson(r, 'summary', '*TestWorkflowReportSummary', options, at),
      i + 1,
      rowId(REPORTS_TABLE.table, executionId, i + 1),
    ];
  });
}

/**
 * One row when the report is non-nil (§3.6). global and step are each JSON or 'null'; with both
 * nil the row holds 'null' twice, which still reads back as a non-nil, empty report, as Mongo's
 * document did (§5). A nil report writes no row.
 */
function aggregationRows(executionId: string, value: unknown, options: WalkOptions): Row[] {
  if (isNullish(value)) return [];
  const at = 'resourceaggregations';
  const a = readStruct('TestWorkflowExecutionResourceAggregationsReport', value, at, options);
  return [
    [
      executionId,
      valueJson(a, 'global', 'map[string]map[string]TestWorkflowExecutionResourceAggregations', options, at),
      valueJson(a, 'step', '[]TestWorkflowExecutionStepResourceAggregations', options, at),
    ],
  ];
}

/** `workflow` / `resolvedworkflow` → one test_workflows row each when non-nil (§3.7); `sync` is not stored. */
function workflowRow(executionId: string, workflowType: 'workflow' | 'resolved_workflow', value: unknown, options: WalkOptions): Row | undefined {
  if (isNullish(value)) return undefined;
  const at = workflowType === 'workflow' ? 'workflow' : 'resolvedworkflow';
  const w = readStruct('TestWorkflow', value, at, options);
  const sync = w.get('sync');
  if (!isNullish(sync)) {
    // Decoded only to refuse what Testkube could not read either; there is no column for it (§6).
    encodeGo(goType('*Syncable'), sync, child(at, 'sync'), options);
    options.onDropped?.(child(at, 'sync'), 'not-stored');
  }
  return [
    executionId,
    workflowType,
    text(w, 'name', VARCHAR.name, at),
    text(w, 'namespace', VARCHAR.name, at),
    text(w, 'description', undefined, at),
    valueJson(w, 'labels', 'map[string]string', options, at),
    valueJson(w, 'annotations', 'map[string]string', options, at),
    pointerJson(w, 'spec', '*TestWorkflowSpec', options, at),
    decodeBool(w.get('readonly'), child(at, 'readonly')),
    pointerJson(w, 'status', '*TestWorkflowStatusSummary', options, at),
    timestamp(w, 'created', at),
    timestamp(w, 'updated', at),
    rowId(WORKFLOWS_TABLE.table, executionId, workflowType),
  ];
}

/** A BSON array field; null or missing is a nil slice. */
function elements(value: unknown, path: string): unknown[] {
  if (isNullish(value)) return [];
  if (!Array.isArray(value)) fail(path, 'type-mismatch', `expected an array, found BSON ${bsonKind(value)}`);
  return value;
}

/**
 * The workflow name and execution number of one execution document, for the sequences
 * safeguard (§4: value = max(sequence, max execution number)). undefined without a named workflow.
 */
export function executionWorkflowNumber(doc: Document): { workflowName: string; number: number } | undefined {
  const recordId = typeof doc['id'] === 'string' ? doc['id'] : undefined;
  try {
    const top = readStruct('TestWorkflowExecution', doc, '', {});
    const workflow = top.get('workflow');
    if (isNullish(workflow)) return undefined;
    const workflowName = decodeString(readStruct('TestWorkflow', workflow, 'workflow', {}).get('name'), 'workflow.name');
    if (workflowName === '') return undefined;
    return { workflowName, number: decodeInt32(top.get('number'), 'number') };
  } catch (err) {
    if (err instanceof FieldProblem) throw toTransformError(err, TESTKUBE_EXECUTIONS_DATA_SET, recordId);
    throw err;
  }
}
