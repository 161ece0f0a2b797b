/** views → views: saved list filters, personal (user_id) or shared (user_id NULL). */
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, requireIdText, rowOf, toIdText } from '../../transform/record-values.js';
import { extraFields, requireText, toBool, toId, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, scopeRefs, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'environment_id', 'user_id', 'name', 'resource', 'filters', 'sort', 'columns', 'is_default', 'created_at', 'updated_at', 'extra'] as const;
const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'userId', 'name', 'resource', 'filters', 'sort', 'columns', 'isDefault', 'createdAt', 'updatedAt']);

export function viewRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    environment_id: toIdText(doc.environmentId, 'environmentId'),
    user_id: toId(doc.userId, 'userId'),
    name: requireText(doc.name, 'name'),
    resource: toText(doc.resource, 'resource'),
    filters: jsonbColumn(doc.filters, 'filters'),
    sort: jsonbColumn(doc.sort, 'sort'),
    columns: jsonbColumn(doc.columns, 'columns'),
    is_default: toBool(doc.isDefault, 'isDefault'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const views = globalDataSet({
  name: 'views',
  tables: [table('views', COLUMNS)],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'views', rows: [viewRow(doc)] }],
  references: scopeRefs,
});
