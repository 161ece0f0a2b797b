/**
 * audit_log_events → audit_log_events (bulk, docs/data-model/bulk.md): tenant-facing audit
 * entries. `actor` and `resource` are split into columns; their other keys go to `extra` under
 * `actor` / `resource`.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { extraFields, requireText, toId, toText } from '../../transform/values.js';
import { jsonbColumn, objectIdKey, requireIdText, toIdText } from '../../transform/record-values.js';
import { documentOrNothing } from '../../transform/scoped-values.js';
import type { DataSet, PgValue } from '../types.js';
import { requireTimestamp, tenantReferences, withNestedExtra } from './columns.js';

const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'timestamp', 'actor', 'action', 'resource', 'outcome', 'ip', 'userAgent', 'requestId', 'changes', 'metadata']);
const ACTOR_MAPPED = new Set(['type', 'id', 'email', 'name']);
const RESOURCE_MAPPED = new Set(['type', 'id', 'name']);

export const auditLogEventColumns = [
  'mongo_id', 'organization_id', 'environment_id', 'occurred_at', 'action', 'actor_type', 'actor_id', 'actor_email', 'actor_name',
  'resource_type', 'resource_id', 'resource_name', 'outcome', 'ip_address', 'user_agent', 'request_id', 'changes', 'metadata', 'extra',
] as const;

export function auditLogEventRow(doc: Document): PgValue[] {
  const actor = documentOrNothing(doc.actor, 'actor');
  const resource = documentOrNothing(doc.resource, 'resource');
  let extra = extraFields(doc, MAPPED);
  if (resource !== undefined) extra = withNestedExtra(extra, 'resource', extraFields(resource, RESOURCE_MAPPED, 'resource'));
  if (actor !== undefined) extra = withNestedExtra(extra, 'actor', extraFields(actor, ACTOR_MAPPED, 'actor'));
  return [
    objectIdKey(doc._id),
    requireIdText(doc.organizationId, 'organizationId'),
    toIdText(doc.environmentId, 'environmentId'),
    requireTimestamp(doc.timestamp, 'timestamp'),
    requireText(doc.action, 'action'),
    actor === undefined ? null : toText(actor.type, 'actor.type'),
    // A user actor's id may be the user's ObjectId in messy data: stored as its hex string.
    actor === undefined ? null : toId(actor.id, 'actor.id'),
    actor === undefined ? null : toText(actor.email, 'actor.email'),
    actor === undefined ? null : toText(actor.name, 'actor.name'),
    resource === undefined ? null : toText(resource.type, 'resource.type'),
    resource === undefined ? null : toText(resource.id, 'resource.id'),
    resource === undefined ? null : toText(resource.name, 'resource.name'),
    toText(doc.outcome, 'outcome'),
    toText(doc.ip, 'ip'),
    toText(doc.userAgent, 'userAgent'),
    toText(doc.requestId, 'requestId'),
    jsonbColumn(doc.changes, 'changes'),
    jsonbColumn(doc.metadata, 'metadata'),
    extra,
  ];
}

export const auditLogEvents: DataSet = {
  name: 'audit_log_events',
  phase: 'bulk',
  collection: 'audit_log_events',
  scope: 'global',
  tables: [{ table: 'audit_log_events', columns: auditLogEventColumns, conflictKey: ['mongo_id'] }],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'audit_log_events', rows: [auditLogEventRow(doc)] }],
  idOf: (doc) => recordIdText(doc._id),
  references: tenantReferences,
};
