/**
 * organizations → organizations + organization_members (docs/data-model/identity.md).
 * Payments history, embedded in the same documents, is its own data set (payments-history.ts)
 * reading the same collection, so `payments` is not copied here.
 */
import type { Document } from 'mongodb';
import { TransformError } from '../../errors.js';
import { isDocument, jsonbColumn, rowOf, stringKey } from '../../transform/record-values.js';
import { bsonTypeName, extraFields, requireText, toId, toText, toTimestamp, valueError } from '../../transform/values.js';
import type { PgValue, TableRows } from '../types.js';
import { globalDataSet, table } from './define.js';

export const organizationColumns = ['id', 'name', 'slug', 'owner_id', 'plan', 'created_at', 'updated_at', 'extra', 'deleted_at'] as const;
export const memberColumns = ['organization_id', 'user_id', 'role', 'joined_at', 'position', 'extra'] as const;

const MAPPED = new Set(['_id', 'name', 'slug', 'ownerId', 'plan', 'createdAt', 'updatedAt', 'deletedAt', 'members', 'payments']);
const MEMBER_MAPPED = new Set(['userId', 'role', 'joinedAt']);

/**
 * `members` and `payments` become rows, not columns. An explicit null cannot be a row, so it is
 * kept in `extra` (nothing dropped); any other non-array is a transform error.
 */
function arrayField(doc: Document, field: string): { items: unknown[]; keepNull: boolean } {
  const value: unknown = doc[field];
  if (value === undefined) return { items: [], keepNull: false };
  if (value === null) return { items: [], keepNull: true };
  if (!Array.isArray(value)) throw valueError('type-mismatch', `expected an array, got ${bsonTypeName(value)}`, field);
  return { items: value, keepNull: false };
}

/** One row per member, in array order. A user listed twice fails the organisation: no silent merge. */
export function memberRows(organizationId: string, members: readonly unknown[]): PgValue[][] {
  const seen = new Map<string, number>();
  return members.map((member, i) => {
    const at = `members[${i}]`;
    if (!isDocument(member)) throw valueError('type-mismatch', `expected a document, got ${bsonTypeName(member)}`, at);
    const userId = toId(member.userId, `${at}.userId`);
    if (userId === null) throw new TransformError('is required but missing or null', { field: `${at}.userId` });
    const first = seen.get(userId);
    if (first !== undefined) {
      throw new TransformError(`user ${userId} is already members[${first}]; organization_members has one row per (organization, user) and merging two entries would lose one of them`, { field: `${at}.userId` });
    }
    seen.set(userId, i);
    return rowOf(memberColumns, {
      organization_id: organizationId,
      user_id: userId,
      role: toText(member.role, `${at}.role`),
      joined_at: toTimestamp(member.joinedAt, `${at}.joinedAt`),
      position: i,
      extra: extraFields(member, MEMBER_MAPPED, `${at}.extra`),
    });
  });
}

export function transformOrganization(doc: Document): TableRows[] {
  const id = stringKey(doc._id);
  const members = arrayField(doc, 'members');
  // Validated here so a malformed history fails its organisation (and, by integrity, its payments).
  const payments = arrayField(doc, 'payments');
  const mapped = new Set(MAPPED);
  if (members.keepNull) mapped.delete('members');
  if (payments.keepNull) mapped.delete('payments');
  const organization = rowOf(organizationColumns, {
    id,
    name: requireText(doc.name, 'name'),
    slug: toText(doc.slug, 'slug'),
    owner_id: toId(doc.ownerId, 'ownerId'),
    plan: jsonbColumn(doc.plan, 'plan'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    extra: extraFields(doc, mapped),
    deleted_at: toTimestamp(doc.deletedAt, 'deletedAt'),
  });
  return [
    { table: 'organizations', rows: [organization] },
    { table: 'organization_members', rows: memberRows(id, members.items) },
  ];
}

export const organizations = globalDataSet({
  name: 'organizations',
  tables: [table('organizations', organizationColumns), table('organization_members', memberColumns, ['organization_id', 'user_id'])],
  dependsOn: ['users'],
  transform: transformOrganization,
  provides: { kind: 'organization', key: (doc) => String(doc._id) },
});
