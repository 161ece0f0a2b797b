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
import { repairExecutionTime, type ExecutionTimes, type HealedDurations, type ResultTimes } from './execution-time.js';
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

/** What a transform can be told besides dropped fields. */
export interface ExecutionOptions extends WalkOptions {
  /**
   * Told when the legacy time repair changed the execution (execution-time.ts): 'scheduled-at'
   * when scheduled_at was synthesized, 'durations' when the result's durations were recomputed.
   */
  onRepaired?: (what: TimeRepairKind) => void;
}

export type TimeRepairKind = 'scheduled-at' | 'durations';

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
export function transformExecution(doc: Document, ctx: ExecutionContext, options: ExecutionOptions = {}): TransformOutput {
  const recordId = typeof doc['id'] === 'string' ? doc['id'] : undefined;
  try {
    return mapExecution(doc, ctx, topLevelOptions(options), options.onRepaired);
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

function mapExecution(doc: Document, ctx: ExecutionContext, options: WalkOptions, onRepaired: ExecutionOptions['onRepaired']): TransformOutput {
  const top = readStruct('TestWorkflowExecution', doc, '', options);
  const id = decodeString(top.get('id'), 'id');
  if (id === '') fail('id', 'missing-id', 'the execution has no id');
  checkLength(id, VARCHAR.id, 'id');
  const organizationId = checkLength(checkText(ctx.organizationId, 'organizationId'), VARCHAR.id, 'organizationId');
  const environmentId = checkLength(checkText(ctx.environmentId, 'environmentId'), VARCHAR.id, 'environmentId');

  // The converter's legacy time repair (execution-time.ts), applied before anything is written.
  const resultValue = top.get('result');
  const resultFields = isNullish(resultValue) ? undefined : readStruct('TestWorkflowResult', resultValue, 'result', options);
  const times: ExecutionTimes = {
    scheduledAt: decodeTime(top.get('scheduledat'), 'scheduledat'),
    assignedAt: decodeTime(top.get('assignedat'), 'assignedat'),
    statusAt: decodeTime(top.get('statusat'), 'statusat'),
    result: resultFields && resultTimes(resultFields),
  };
  const repair = repairExecutionTime(times);
  if (repair.scheduledAtRepaired) onRepaired?.('scheduled-at');
  if (repair.durations) onRepaired?.('durations');

  const execution: Row = [
    id,
    checkLength(decodeString(top.get('name'), 'name'), VARCHAR.name, 'name'), // NOT NULL: "" stays ""
    text(top, 'namespace', VARCHAR.name),
    decodeInt32(top.get('number'), 'number'),
    text(top, 'testworkflowexecutionname', VARCHAR.name),
    text(top, 'groupid', VARCHAR.id),
    text(top, 'runnerid', VARCHAR.id),
    jsonb(top, 'runnertarget', '*ExecutionTarget', options),
    jsonb(top, 'runneroriginaltarget', '*ExecutionTarget', options),
    decodeBool(top.get('disablewebhooks'), 'disablewebhooks'),
    jsonb(top, 'tags', 'map[string]string', options),
    jsonb(top, 'runningcontext', '*TestWorkflowRunningContext', options),
    jsonb(top, 'configparams', 'map[string]TestWorkflowExecutionConfigValue', options),
    pgTimestamp(repair.scheduledAt, 'scheduledat'),
    pgTimestamp(times.assignedAt, 'assignedat'),
    pgTimestamp(times.statusAt, 'statusat'),
    organizationId,
    environmentId,
    jsonb(top, 'runtime', '*TestWorkflowExecutionRuntime', options),
    jsonb(top, 'silentmode', '*SilentMode', options),
  ];

  const signatures: Row[] = [];
  signatureRows(id, top.get('signature'), 'signature', null, { next: 1 }, signatures, options);
  const result = resultFields && times.result ? resultRow(id, resultFields, times.result, repair.durations, options) : undefined;
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
 * Every jsonb column, one rule (docs/testkube-executions.md, "SQL NULL or JSON null"): a nil
 * value (BSON null or missing: a nil pointer, map or slice in Go) is SQL NULL, anything else the
 * JSON Go writes for it, `{}` and `[]` included. It is what Testkube's converter writes (its
 * escapeJSONB turns Go's `null` into NULL), so every query of Testkube's PostgreSQL repository
 * answers on these rows as on the converter's; the jsonb operators need it: `NOT (tags ? k)` is
 * true on the JSON literal null but NULL, hence no match, on SQL NULL.
 */
function jsonb(fields: Fields, key: string, type: string, options: WalkOptions, at = ''): string | null {
  const value = fields.get(key);
  if (isNullish(value)) return null;
  const { json } = encodeGo(goType(type), value, child(at, key), options);
  return json === 'null' ? null : json;
}

/** The result's status fields; `status` as Testkube's toPgText leaves it (nil or "" → null). */
function resultStatus(r: Fields, key: string): string | null {
  // *TestWorkflowStatus: nil → NULL, and "" → NULL via toPgText. A NULL status reads back as
  // result = nil (§5); that loss is Testkube's and cannot be avoided.
  return isNullish(r.get(key)) ? null : text(r, key, VARCHAR.status, 'result');
}

/** What the time repair reads of a result. A nil or "" status is never finished, as in Go. */
function resultTimes(r: Fields): ResultTimes {
  const at = 'result';
  return {
    status: resultStatus(r, 'status'),
    queuedAt: decodeTime(r.get('queuedat'), child(at, 'queuedat')),
    startedAt: decodeTime(r.get('startedat'), child(at, 'startedat')),
    finishedAt: decodeTime(r.get('finishedat'), child(at, 'finishedat')),
    pausedMs: decodeInt32(r.get('pausedms'), child(at, 'pausedms')),
    durationMs: decodeInt32(r.get('durationms'), child(at, 'durationms')),
    totalDurationMs: decodeInt32(r.get('totaldurationms'), child(at, 'totaldurationms')),
  };
}

/**
 * The result row (one when the result is non-nil, §3.3). Durations are copied as stored, negative
 * ones included (§6), unless the time repair recomputed them; pausedMs is always as stored.
 */
function resultRow(executionId: string, r: Fields, t: ResultTimes, healed: HealedDurations | undefined, options: WalkOptions): Row {
  const at = 'result';
  return [
    executionId,
    t.status,
    resultStatus(r, 'predictedstatus'),
    healed ? healed.duration : text(r, 'duration', VARCHAR.duration, at),
    healed ? healed.totalDuration : text(r, 'totalduration', VARCHAR.duration, at),
    healed ? healed.durationMs : t.durationMs,
    t.pausedMs,
    healed ? healed.totalDurationMs : t.totalDurationMs,
    jsonb(r, 'pauses', '[]TestWorkflowPause', options, at),
    jsonb(r, 'initialization', '*TestWorkflowStepResult', options, at),
    jsonb(r, 'steps', 'map[string]TestWorkflowStepResult', options, at),
    pgTimestamp(t.queuedAt, child(at, 'queuedat')),
    pgTimestamp(t.startedAt, child(at, 'startedat')),
    pgTimestamp(t.finishedAt, child(at, 'finishedat')),
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

/** out_order = index + 1; value is the free-form map's JSON, NULL when nil (§3.4). */
function outputRows(executionId: string, value: unknown, options: WalkOptions): Row[] {
  return elements(value, 'output').map((item, i) => {
    const at = index('output', i);
    const o = readStruct('TestWorkflowOutput', item, at, options);
    return [
      executionId,
      text(o, 'ref', VARCHAR.name, at),
      text(o, 'name', VARCHAR.name, at),
      jsonb(o, 'value', 'map[string]interface{}', options, at),
      i + 1,
      rowId(OUTPUTS_TABLE.table, executionId, i + 1),
    ];
  });
}

/** rep_order = 1..n on a fresh insert; summary JSON, NULL when nil (§3.5). */
function reportRows(executionId: string, value: unknown, options: WalkOptions): Row[] {
  return elements(value, 'reports').map((item, i) => {
    const at = index('reports', i);
    const r = readStruct('TestWorkflowReport', item, at, options);
    return [
      executionId,
      text(r, 'ref', VARCHAR.name, at),
      text(r, 'kind', VARCHAR.name, at),
      text(r, 'file', VARCHAR.file, at),
      jsonb(r, 'summary', '*TestWorkflowReportSummary', options, at),
      i + 1,
      rowId(REPORTS_TABLE.table, executionId, i + 1),
    ];
  });
}

/**
 * One row when the report is non-nil (§3.6); global and step are each JSON, NULL when nil. With
 * both nil the row holds NULL twice and Testkube reads the report back as nil, as it does on the
 * converter's rows (Mongo returned an empty report): see "Losses" in docs/testkube-executions.md.
 * A nil report writes no row.
 */
function aggregationRows(executionId: string, value: unknown, options: WalkOptions): Row[] {
  if (isNullish(value)) return [];
  const at = 'resourceaggregations';
  const a = readStruct('TestWorkflowExecutionResourceAggregationsReport', value, at, options);
  return [
    [
      executionId,
      jsonb(a, 'global', 'map[string]map[string]TestWorkflowExecutionResourceAggregations', options, at),
      jsonb(a, 'step', '[]TestWorkflowExecutionStepResourceAggregations', options, at),
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
    jsonb(w, 'labels', 'map[string]string', options, at),
    jsonb(w, 'annotations', 'map[string]string', options, at),
    jsonb(w, 'spec', '*TestWorkflowSpec', options, at),
    decodeBool(w.get('readonly'), child(at, 'readonly')),
    jsonb(w, 'status', '*TestWorkflowStatusSummary', options, at),
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
