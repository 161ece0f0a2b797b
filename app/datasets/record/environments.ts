/**
 * environments → environments. Provides the 'environment' keys (organisation/environment pairs)
 * every environment-scoped record is checked against.
 */
import type { Document } from 'mongodb';
import { environmentKey } from '../../engine/integrity.js';
import { jsonbColumn, requireIdText, rowOf, stringKey } from '../../transform/record-values.js';
import { extraFields, requireText, toBool, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, organizationRef, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'name', 'slug', 'description', 'namespace', 'cloud_storage', 'new_architecture', 'labels', 'created_at', 'updated_at', 'deleted_at', 'extra'] as const;
const MAPPED = new Set(['_id', 'organizationId', 'name', 'slug', 'description', 'namespace', 'cloudStorage', 'newArchitecture', 'labels', 'createdAt', 'updatedAt', 'deletedAt']);

export function environmentRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: stringKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    name: requireText(doc.name, 'name'),
    slug: toText(doc.slug, 'slug'),
    description: toText(doc.description, 'description'),
    namespace: toText(doc.namespace, 'namespace'),
    cloud_storage: toBool(doc.cloudStorage, 'cloudStorage'),
    new_architecture: toBool(doc.newArchitecture, 'newArchitecture'),
    labels: jsonbColumn(doc.labels, 'labels'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    deleted_at: toTimestamp(doc.deletedAt, 'deletedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const environments = globalDataSet({
  name: 'environments',
  tables: [table('environments', COLUMNS)],
  dependsOn: ['organizations'],
  transform: (doc) => [{ table: 'environments', rows: [environmentRow(doc)] }],
  provides: { kind: 'environment', key: (doc) => environmentKey(String(doc.organizationId), String(doc._id)) },
  references: (doc) => [organizationRef(doc)],
});
