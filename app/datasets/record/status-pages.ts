/** status_pages → status_pages. Provides 'status_page' keys (the `_id` hex) for incidents. */
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, requireIdText, rowOf } from '../../transform/record-values.js';
import { extraFields, requireText, toBool, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, scopeRefs, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'environment_id', 'slug', 'title', 'description', 'published', 'custom_domain', 'services', 'theme', 'created_at', 'updated_at', 'extra'] as const;
const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'slug', 'title', 'description', 'published', 'customDomain', 'services', 'theme', 'createdAt', 'updatedAt']);

export function statusPageRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    environment_id: requireIdText(doc.environmentId, 'environmentId'),
    slug: requireText(doc.slug, 'slug'),
    title: toText(doc.title, 'title'),
    description: toText(doc.description, 'description'),
    published: toBool(doc.published, 'published'),
    custom_domain: toText(doc.customDomain, 'customDomain'),
    services: jsonbColumn(doc.services, 'services'),
    theme: jsonbColumn(doc.theme, 'theme'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const statusPages = globalDataSet({
  name: 'status_pages',
  tables: [table('status_pages', COLUMNS)],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'status_pages', rows: [statusPageRow(doc)] }],
  provides: { kind: 'status_page', key: (doc) => String(doc._id) },
  references: scopeRefs,
});
