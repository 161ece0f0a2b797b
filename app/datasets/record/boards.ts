/** boards → boards: dashboards of widgets over an environment's results. */
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, requireIdText, rowOf, toIdText } from '../../transform/record-values.js';
import { extraFields, requireText, toBool, toId, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, scopeRefs, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'environment_id', 'name', 'description', 'widgets', 'shared', 'created_by', 'created_at', 'updated_at', 'extra'] as const;
const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'name', 'description', 'widgets', 'shared', 'createdBy', 'createdAt', 'updatedAt']);

export function boardRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    environment_id: toIdText(doc.environmentId, 'environmentId'),
    name: requireText(doc.name, 'name'),
    description: toText(doc.description, 'description'),
    widgets: jsonbColumn(doc.widgets, 'widgets'),
    shared: toBool(doc.shared, 'shared'),
    created_by: toId(doc.createdBy, 'createdBy'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const boards = globalDataSet({
  name: 'boards',
  tables: [table('boards', COLUMNS)],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'boards', rows: [boardRow(doc)] }],
  references: scopeRefs,
});
