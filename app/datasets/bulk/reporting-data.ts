/**
 * reporting_data → reporting_data (bulk, docs/data-model/bulk.md): pre-aggregated results per
 * (environment, workflow, UTC day). Counts are mapped by value (a count written as "12", Long or
 * 12.0 is 12; 12.5 fails), `durationMs` is kept whole and its exact `total` is also a column.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { extraFields, requireText, toInteger, toTimestamp } from '../../transform/values.js';
import { jsonbColumn, objectIdKey, requireIdText, toIdText } from '../../transform/record-values.js';
import { documentOrNothing, doubleValue } from '../../transform/scoped-values.js';
import type { DataSet, PgValue } from '../types.js';
import { requireTimestamp, tenantReferences } from './columns.js';

const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'workflowName', 'granularity', 'date', 'executions', 'passed', 'failed', 'aborted', 'passRate', 'durationMs', 'tags', 'computedAt']);

export const reportingDataColumns = [
  'mongo_id', 'organization_id', 'environment_id', 'workflow_name', 'granularity', 'bucket_start', 'executions', 'passed', 'failed',
  'aborted', 'pass_rate', 'duration_total_ms', 'duration_ms', 'tags', 'computed_at', 'extra',
] as const;

export function reportingDataRow(doc: Document): PgValue[] {
  const duration = documentOrNothing(doc.durationMs, 'durationMs');
  return [
    objectIdKey(doc._id),
    requireIdText(doc.organizationId, 'organizationId'),
    toIdText(doc.environmentId, 'environmentId'),
    requireText(doc.workflowName, 'workflowName'),
    requireText(doc.granularity, 'granularity'),
    requireTimestamp(doc.date, 'date'),
    toInteger(doc.executions, 'executions'),
    toInteger(doc.passed, 'passed'),
    toInteger(doc.failed, 'failed'),
    toInteger(doc.aborted, 'aborted'),
    // A string only when a double holds exactly what it spells: never rounded.
    doubleValue(doc.passRate, 'passRate'),
    duration === undefined ? null : toInteger(duration.total, 'durationMs.total', 64),
    jsonbColumn(doc.durationMs, 'durationMs'),
    jsonbColumn(doc.tags, 'tags'),
    toTimestamp(doc.computedAt, 'computedAt'),
    extraFields(doc, MAPPED),
  ];
}

export const reportingData: DataSet = {
  name: 'reporting_data',
  phase: 'bulk',
  collection: 'reporting_data',
  scope: 'global',
  tables: [{ table: 'reporting_data', columns: reportingDataColumns, conflictKey: ['mongo_id'] }],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'reporting_data', rows: [reportingDataRow(doc)] }],
  idOf: (doc) => recordIdText(doc._id),
  references: tenantReferences,
};
