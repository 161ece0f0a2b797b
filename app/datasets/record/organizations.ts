/**
 * organizations → organizations. Payments history, embedded in the same documents, is its own
 * data set (payments-history.ts) reading the same collection.
 */
import type { Document } from 'mongodb';
import { extraFields, requireText, toId, toJsonb, toText, toTimestamp } from '../../transform/values.js';
import type { DataSet, PgValue } from '../types.js';

const MAPPED = new Set(['_id', 'name', 'slug', 'ownerId', 'plan', 'createdAt', 'updatedAt', 'payments']);

export const organizationColumns = ['id', 'name', 'slug', 'owner_id', 'plan', 'created_at', 'updated_at', 'extra'] as const;

export function organizationRow(doc: Document): PgValue[] {
  return [
    requireText(doc._id, '_id', { maxLength: 64 }),
    requireText(doc.name, 'name'),
    toText(doc.slug, 'slug'),
    toId(doc.ownerId, 'ownerId'),
    toJsonb(doc.plan, 'plan'),
    toTimestamp(doc.createdAt, 'createdAt'),
    toTimestamp(doc.updatedAt, 'updatedAt'),
    extraFields(doc, MAPPED),
  ];
}

export const organizations: DataSet = {
  name: 'organizations',
  phase: 'record',
  collection: 'organizations',
  scope: 'global',
  tables: [{ table: 'organizations', columns: organizationColumns, conflictKey: ['id'] }],
  dependsOn: [],
  transform: (doc) => [{ table: 'organizations', rows: [organizationRow(doc)] }],
  idOf: (doc) => String(doc._id),
  provides: { kind: 'organization', key: (doc) => String(doc._id) },
};
