/**
 * application_audit_events → application_audit_events (bulk, docs/data-model/bulk.md): the
 * control plane's own operational trail. It names a tenant only for context, so the
 * organisation/environment is not checked: events of deleted tenants are history and migrate.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { extraFields, requireText, toId, toText } from '../../transform/values.js';
import { jsonbColumn, objectIdKey, toIdText } from '../../transform/record-values.js';
import type { DataSet, PgValue } from '../types.js';
import { requireTimestamp } from './columns.js';

const MAPPED = new Set(['_id', 'timestamp', 'service', 'level', 'event', 'message', 'organizationId', 'environmentId', 'userId', 'agentId', 'requestId', 'hostname', 'attributes']);

export const applicationAuditEventColumns = [
  'mongo_id', 'occurred_at', 'service', 'level', 'event', 'message', 'organization_id', 'environment_id', 'user_id', 'agent_id',
  'request_id', 'hostname', 'attributes', 'extra',
] as const;

export function applicationAuditEventRow(doc: Document): PgValue[] {
  return [
    objectIdKey(doc._id),
    requireTimestamp(doc.timestamp, 'timestamp'),
    toText(doc.service, 'service'),
    toText(doc.level, 'level'),
    requireText(doc.event, 'event'),
    toText(doc.message, 'message'),
    toIdText(doc.organizationId, 'organizationId'),
    toIdText(doc.environmentId, 'environmentId'),
    // A user reference: the 24-hex string, or the user's ObjectId in messy data.
    toId(doc.userId, 'userId'),
    toText(doc.agentId, 'agentId', { maxLength: 64 }),
    toText(doc.requestId, 'requestId'),
    toText(doc.hostname, 'hostname'),
    // Kept as written (messy widths and "true"/"5" strings included): attributes are free-form.
    jsonbColumn(doc.attributes, 'attributes'),
    extraFields(doc, MAPPED),
  ];
}

export const applicationAuditEvents: DataSet = {
  name: 'application_audit_events',
  phase: 'bulk',
  collection: 'application_audit_events',
  scope: 'global',
  tables: [{ table: 'application_audit_events', columns: applicationAuditEventColumns, conflictKey: ['mongo_id'] }],
  dependsOn: [],
  transform: (doc) => [{ table: 'application_audit_events', rows: [applicationAuditEventRow(doc)] }],
  idOf: (doc) => recordIdText(doc._id),
};
