/**
 * users → users. Other documents reference a user by the 24-hex string of its ObjectId; those
 * references are soft (docs/data-model.md §3), so users provide 'user' keys but nothing fails
 * for a user that does not exist.
 */
import type { Document } from 'mongodb';
import { objectIdKey, jsonbColumn, rowOf } from '../../transform/record-values.js';
import { extraFields, isMissing, requireText, toBool, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, table } from './define.js';

const COLUMNS = ['id', 'email', 'name', 'avatar_url', 'auth_provider', 'external_id', 'email_verified', 'is_super_admin', 'preferences', 'last_login_at', 'created_at', 'updated_at', 'deleted_at', 'extra'] as const;

// firstName/lastName are not listed: the legacy parts stay in `extra` next to the joined name.
const MAPPED = new Set(['_id', 'email', 'name', 'avatarUrl', 'authProvider', 'externalId', 'emailVerified', 'isSuperAdmin', 'preferences', 'lastLoginAt', 'createdAt', 'updatedAt', 'deletedAt']);

/** `name`, else the legacy `firstName` and `lastName` joined by a space (empty parts left out). */
function displayName(doc: Document): string | null {
  if (!isMissing(doc.name) || (isMissing(doc.firstName) && isMissing(doc.lastName))) return toText(doc.name, 'name');
  const parts = [toText(doc.firstName, 'firstName'), toText(doc.lastName, 'lastName')].filter((p): p is string => p !== null && p !== '');
  return parts.length > 0 ? parts.join(' ') : null;
}

export function userRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    email: requireText(doc.email, 'email'),
    name: displayName(doc),
    avatar_url: toText(doc.avatarUrl, 'avatarUrl'),
    auth_provider: toText(doc.authProvider, 'authProvider'),
    external_id: toText(doc.externalId, 'externalId'),
    email_verified: toBool(doc.emailVerified, 'emailVerified'),
    is_super_admin: toBool(doc.isSuperAdmin, 'isSuperAdmin'),
    preferences: jsonbColumn(doc.preferences, 'preferences'),
    last_login_at: toTimestamp(doc.lastLoginAt, 'lastLoginAt'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    deleted_at: toTimestamp(doc.deletedAt, 'deletedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const users = globalDataSet({
  name: 'users',
  tables: [table('users', COLUMNS)],
  dependsOn: [],
  transform: (doc) => [{ table: 'users', rows: [userRow(doc)] }],
  provides: { kind: 'user', key: (doc) => String(doc._id) },
});
