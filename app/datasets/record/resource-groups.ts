/**
 * resource_groups → resource_groups. `resources` and `members` are jsonb as found: their
 * environment and user ids are soft references (a member's ObjectId user id stays {"$oid"}).
 */
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, requireIdText, rowOf } from '../../transform/record-values.js';
import { extraFields, requireText, toId, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, organizationRef, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'name', 'slug', 'description', 'resources', 'members', 'created_by', 'created_at', 'updated_at', 'extra'] as const;
const MAPPED = new Set(['_id', 'organizationId', 'name', 'slug', 'description', 'resources', 'members', 'createdBy', 'createdAt', 'updatedAt']);

export function resourceGroupRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    name: requireText(doc.name, 'name'),
    slug: toText(doc.slug, 'slug'),
    description: toText(doc.description, 'description'),
    resources: jsonbColumn(doc.resources, 'resources'),
    members: jsonbColumn(doc.members, 'members'),
    created_by: toId(doc.createdBy, 'createdBy'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const resourceGroups = globalDataSet({
  name: 'resource_groups',
  tables: [table('resource_groups', COLUMNS)],
  dependsOn: ['organizations'],
  transform: (doc) => [{ table: 'resource_groups', rows: [resourceGroupRow(doc)] }],
  references: (doc) => [organizationRef(doc)],
});
