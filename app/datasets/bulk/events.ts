/**
 * events → events (bulk, docs/data-model/bulk.md): domain events fanned out to webhooks and the
 * UI. `payload` and `deliveries` are free-form and kept as written, in Relaxed Extended JSON.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { extraFields, requireText, toText, toTimestamp } from '../../transform/values.js';
import { jsonbColumn, objectIdKey, requireIdText, toIdText } from '../../transform/record-values.js';
import type { DataSet, PgValue } from '../types.js';
import { requireTimestamp, tenantReferences } from './columns.js';

const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'type', 'resource', 'resourceId', 'executionId', 'workflowName', 'agentId', 'payload', 'deliveries', 'createdAt', 'expiresAt']);

export const eventColumns = [
  'mongo_id', 'organization_id', 'environment_id', 'type', 'resource', 'resource_id', 'execution_id', 'workflow_name', 'agent_id',
  'payload', 'deliveries', 'created_at', 'expires_at', 'extra',
] as const;

export function eventRow(doc: Document): PgValue[] {
  return [
    objectIdKey(doc._id),
    requireIdText(doc.organizationId, 'organizationId'),
    toIdText(doc.environmentId, 'environmentId'),
    requireText(doc.type, 'type'),
    toText(doc.resource, 'resource'),
    toText(doc.resourceId, 'resourceId'),
    toText(doc.executionId, 'executionId', { maxLength: 64 }),
    toText(doc.workflowName, 'workflowName'),
    toText(doc.agentId, 'agentId', { maxLength: 64 }),
    jsonbColumn(doc.payload, 'payload'),
    jsonbColumn(doc.deliveries, 'deliveries'),
    requireTimestamp(doc.createdAt, 'createdAt'),
    toTimestamp(doc.expiresAt, 'expiresAt'),
    extraFields(doc, MAPPED),
  ];
}

export const events: DataSet = {
  name: 'events',
  phase: 'bulk',
  collection: 'events',
  scope: 'global',
  tables: [{ table: 'events', columns: eventColumns, conflictKey: ['mongo_id'] }],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'events', rows: [eventRow(doc)] }],
  idOf: (doc) => recordIdText(doc._id),
  references: tenantReferences,
};
