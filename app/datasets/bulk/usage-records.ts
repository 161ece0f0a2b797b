/** usage → usage_records (bulk). CONVERT_SINCE limits it to records on or after a date. */
import type { Document } from 'mongodb';
import { ObjectId } from 'mongodb';
import { TransformError } from '../../errors.js';
import { extraFields, requireText, toJsonb, toNumericText, toText, toTimestamp } from '../../transform/values.js';
import { environmentKey } from '../../engine/integrity.js';
import type { DataSet, PgValue } from '../types.js';

const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'metric', 'value', 'timestamp', 'labels']);

export const usageColumns = ['mongo_id', 'organization_id', 'environment_id', 'metric', 'quantity', 'recorded_at', 'labels', 'extra'] as const;

export function usageRow(doc: Document): PgValue[] {
  if (!(doc._id instanceof ObjectId)) throw new TransformError('expected an ObjectId', { field: '_id' });
  const quantity = toNumericText(doc.value, 'value');
  if (quantity === null) throw new TransformError('is required but missing or null', { field: 'value' });
  const recordedAt = toTimestamp(doc.timestamp, 'timestamp');
  if (recordedAt === null) throw new TransformError('is required but missing or null', { field: 'timestamp' });
  return [
    doc._id.toHexString(),
    requireText(doc.organizationId, 'organizationId', { maxLength: 64 }),
    toText(doc.environmentId, 'environmentId', { maxLength: 64 }),
    requireText(doc.metric, 'metric'),
    quantity,
    recordedAt,
    toJsonb(doc.labels, 'labels'),
    extraFields(doc, MAPPED),
  ];
}

export function usageRecords(since: Date | null): DataSet {
  return {
    name: 'usage_records',
    phase: 'bulk',
    collection: 'usage',
    scope: 'global',
    tables: [{ table: 'usage_records', columns: usageColumns, conflictKey: ['mongo_id'] }],
    dependsOn: ['organizations'],
    ...(since ? { filter: { timestamp: { $gte: since } } } : {}),
    transform: (doc) => [{ table: 'usage_records', rows: [usageRow(doc)] }],
    idOf: (doc) => String(doc._id),
    references: (doc) => [
      { kind: 'organization', id: typeof doc.organizationId === 'string' ? doc.organizationId : null, field: 'organizationId' },
      { kind: 'environment', id: typeof doc.organizationId === 'string' && typeof doc.environmentId === 'string' ? environmentKey(doc.organizationId, doc.environmentId) : null, field: 'environmentId' },
    ],
  };
}
