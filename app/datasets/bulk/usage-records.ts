/**
 * usage → usage_records (bulk, docs/data-model/bulk.md). The largest collection: the transform
 * is on the hot path, so it builds one row array and nothing else per document.
 * CONVERT_SINCE limits it to records on or after a date.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { extraFields, requireText, toNumericText, valueError } from '../../transform/values.js';
import { jsonbColumn, objectIdKey, requireIdText, toIdText } from '../../transform/record-values.js';
import type { DataSet, PgValue } from '../types.js';
import { requireTimestamp, tenantReferences } from './columns.js';

const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'metric', 'value', 'timestamp', 'labels']);

export const usageColumns = ['mongo_id', 'organization_id', 'environment_id', 'metric', 'quantity', 'recorded_at', 'labels', 'extra'] as const;

export function usageRow(doc: Document): PgValue[] {
  const quantity = toNumericText(doc.value, 'value');
  if (quantity === null) throw valueError('missing', 'is required but missing or null', 'value');
  return [
    objectIdKey(doc._id),
    requireIdText(doc.organizationId, 'organizationId'),
    toIdText(doc.environmentId, 'environmentId'),
    requireText(doc.metric, 'metric'),
    quantity,
    requireTimestamp(doc.timestamp, 'timestamp'),
    jsonbColumn(doc.labels, 'labels'),
    extraFields(doc, MAPPED),
  ];
}

/**
 * `timestamp >= since`. MongoDB compares a value only with values of the same type, so a date
 * filter alone would silently leave out records whose timestamp was written as ISO-8601 text;
 * the second branch selects those by text comparison (exact for UTC `…Z` and date-only text).
 */
export function sinceFilter(since: Date): Document {
  const iso = since.toISOString();
  // CONVERT_SINCE is a UTC date: "2025-03-01" sorts before every time of that day.
  const text = iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  return { $or: [{ timestamp: { $gte: since } }, { timestamp: { $gte: text } }] };
}

export function usageRecords(since: Date | null): DataSet {
  return {
    name: 'usage_records',
    phase: 'bulk',
    collection: 'usage',
    scope: 'global',
    tables: [{ table: 'usage_records', columns: usageColumns, conflictKey: ['mongo_id'] }],
    dependsOn: ['organizations', 'environments'],
    ...(since ? { filter: sinceFilter(since) } : {}),
    transform: (doc) => [{ table: 'usage_records', rows: [usageRow(doc)] }],
    idOf: (doc) => recordIdText(doc._id),
    references: tenantReferences,
  };
}
