/**
 * trackers → trackers: a user's progress through checklists, tours and announcements. The user is
 * a soft reference; the organisation, when present, a hard one.
 */
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, rowOf, toIdText } from '../../transform/record-values.js';
import { extraFields, toId, toInteger, toText, toTimestamp, valueError } from '../../transform/values.js';
import { globalDataSet, organizationRef, table } from './define.js';

const COLUMNS = ['id', 'user_id', 'organization_id', 'kind', 'key', 'state', 'count', 'first_seen_at', 'last_seen_at', 'completed_at', 'extra'] as const;
const MAPPED = new Set(['_id', 'userId', 'organizationId', 'kind', 'key', 'state', 'count', 'firstSeenAt', 'lastSeenAt', 'completedAt']);

export function trackerRow(doc: Document) {
  const userId = toId(doc.userId, 'userId');
  if (userId === null) throw valueError('missing', 'is required but missing or null', 'userId');
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    user_id: userId,
    organization_id: toIdText(doc.organizationId, 'organizationId'),
    kind: toText(doc.kind, 'kind'),
    key: toText(doc.key, 'key'),
    state: jsonbColumn(doc.state, 'state'),
    count: toInteger(doc.count, 'count'),
    first_seen_at: toTimestamp(doc.firstSeenAt, 'firstSeenAt'),
    last_seen_at: toTimestamp(doc.lastSeenAt, 'lastSeenAt'),
    completed_at: toTimestamp(doc.completedAt, 'completedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const trackers = globalDataSet({
  name: 'trackers',
  tables: [table('trackers', COLUMNS)],
  dependsOn: ['organizations'],
  transform: (doc) => [{ table: 'trackers', rows: [trackerRow(doc)] }],
  references: (doc) => [organizationRef(doc)],
});
