/** incidents → incidents. An incident belongs to its status page: a missing page is an integrity error. */
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, refId, requireIdText, rowOf, toTextArray } from '../../transform/record-values.js';
import { extraFields, toId, toText, toTimestamp, valueError } from '../../transform/values.js';
import { globalDataSet, scopeRefs, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'environment_id', 'status_page_id', 'title', 'severity', 'status', 'affected_service_ids', 'updates', 'started_at', 'resolved_at', 'created_by', 'created_at', 'updated_at', 'extra'] as const;
const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'statusPageId', 'title', 'severity', 'status', 'affectedServiceIds', 'updates', 'startedAt', 'resolvedAt', 'createdBy', 'createdAt', 'updatedAt']);

export function incidentRow(doc: Document) {
  // The hex string of the page's ObjectId; an ObjectId itself means the same page.
  const statusPageId = toId(doc.statusPageId, 'statusPageId');
  if (statusPageId === null) throw valueError('missing', 'is required but missing or null', 'statusPageId');
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    environment_id: requireIdText(doc.environmentId, 'environmentId'),
    status_page_id: statusPageId,
    title: toText(doc.title, 'title'),
    severity: toText(doc.severity, 'severity'),
    status: toText(doc.status, 'status'),
    affected_service_ids: toTextArray(doc.affectedServiceIds, 'affectedServiceIds'),
    updates: jsonbColumn(doc.updates, 'updates'),
    started_at: toTimestamp(doc.startedAt, 'startedAt'),
    resolved_at: toTimestamp(doc.resolvedAt, 'resolvedAt'),
    created_by: toId(doc.createdBy, 'createdBy'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const incidents = globalDataSet({
  name: 'incidents',
  tables: [table('incidents', COLUMNS)],
  dependsOn: ['organizations', 'environments', 'status_pages'],
  transform: (doc) => [{ table: 'incidents', rows: [incidentRow(doc)] }],
  references: (doc) => [...scopeRefs(doc), { kind: 'status_page', id: refId(doc.statusPageId), field: 'statusPageId' }],
});
