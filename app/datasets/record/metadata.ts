/** metadata → metadata: key/value annotations of an organisation, an environment or a workflow. */
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, requireIdText, rowOf, toIdText } from '../../transform/record-values.js';
import { extraFields, requireText, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, scopeRefs, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'environment_id', 'resource_type', 'resource_name', 'key', 'value', 'created_at', 'updated_at', 'extra'] as const;
const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'resourceType', 'resourceName', 'key', 'value', 'createdAt', 'updatedAt']);

export function metadataRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    environment_id: toIdText(doc.environmentId, 'environmentId'),
    resource_type: toText(doc.resourceType, 'resourceType'),
    resource_name: toText(doc.resourceName, 'resourceName'),
    key: requireText(doc.key, 'key'),
    value: jsonbColumn(doc.value, 'value'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const metadata = globalDataSet({
  name: 'metadata',
  tables: [table('metadata', COLUMNS)],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'metadata', rows: [metadataRow(doc)] }],
  references: scopeRefs,
});
