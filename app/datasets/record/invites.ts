/**
 * invites → invites. Only the SHA-256 of an invite token is stored: legacy documents that kept
 * the plaintext `token` are hashed here, and the plaintext goes nowhere (not even `extra`).
 */
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, requireIdText, rowOf, secretText, sha256Hex } from '../../transform/record-values.js';
import { extraFields, isMissing, requireText, toId, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, organizationRef, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'email', 'role', 'environment_roles', 'invited_by', 'token_hash', 'status', 'expires_at', 'accepted_at', 'created_at', 'extra'] as const;
// `token` is consumed (hashed) whether or not a tokenHash exists: a plaintext secret is never kept.
const MAPPED = new Set(['_id', 'organizationId', 'email', 'role', 'environments', 'invitedBy', 'tokenHash', 'token', 'status', 'expiresAt', 'acceptedAt', 'createdAt']);

/** `tokenHash`, else sha256(`token`) for legacy documents, else NULL. */
export function inviteTokenHash(doc: Document): string | null {
  if (!isMissing(doc.tokenHash)) return toText(doc.tokenHash, 'tokenHash');
  if (!isMissing(doc.token)) return sha256Hex(secretText(doc.token, 'token'));
  return null;
}

export function inviteRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    email: requireText(doc.email, 'email'),
    role: toText(doc.role, 'role'),
    environment_roles: jsonbColumn(doc.environments, 'environments'),
    invited_by: toId(doc.invitedBy, 'invitedBy'),
    token_hash: inviteTokenHash(doc),
    status: toText(doc.status, 'status'),
    expires_at: toTimestamp(doc.expiresAt, 'expiresAt'),
    accepted_at: toTimestamp(doc.acceptedAt, 'acceptedAt'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const invites = globalDataSet({
  name: 'invites',
  tables: [table('invites', COLUMNS)],
  dependsOn: ['organizations'],
  transform: (doc) => [{ table: 'invites', rows: [inviteRow(doc)] }],
  references: (doc) => [organizationRef(doc)],
});
