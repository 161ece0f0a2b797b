/**
 * tokens → tokens. Only hashes are stored: legacy documents with the plaintext `token` get
 * sha256(token) and its display prefix; the plaintext never reaches a column, `extra`, or an
 * error message. A token with neither hash nor plaintext cannot authenticate anything and fails.
 */
import type { Document } from 'mongodb';
import { TransformError } from '../../errors.js';
import { objectIdKey, requireIdText, rowOf, secretText, sha256Hex, toIdText, toTextArray } from '../../transform/record-values.js';
import { extraFields, isMissing, toId, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, scopeRefs, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'environment_id', 'user_id', 'name', 'token_hash', 'token_prefix', 'role', 'scopes', 'expires_at', 'last_used_at', 'revoked_at', 'created_by', 'created_at', 'extra'] as const;
// `token` is consumed (hashed) whether or not a tokenHash exists: a plaintext secret is never kept.
const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'userId', 'name', 'tokenHash', 'prefix', 'token', 'role', 'scopes', 'expiresAt', 'lastUsedAt', 'revokedAt', 'createdBy', 'createdAt']);

/** What the display prefix of a token is: `tkcapi_` and four characters. */
export const TOKEN_PREFIX_LENGTH = 11;

/** token_hash and token_prefix: stored values, or derived from a legacy plaintext token. */
export function tokenSecretColumns(doc: Document): { hash: string; prefix: string | null } {
  const plaintext = isMissing(doc.token) ? null : secretText(doc.token, 'token');
  let hash = toText(doc.tokenHash, 'tokenHash');
  if (hash === null) {
    if (plaintext === null) throw new TransformError('is missing and there is no legacy token to hash; a token without a hash cannot authenticate', { field: 'tokenHash' });
    hash = sha256Hex(plaintext);
  }
  const prefix = toText(doc.prefix, 'prefix') ?? (plaintext === null ? null : [...plaintext].slice(0, TOKEN_PREFIX_LENGTH).join(''));
  return { hash, prefix };
}

export function tokenRow(doc: Document) {
  const secret = tokenSecretColumns(doc);
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    environment_id: toIdText(doc.environmentId, 'environmentId'),
    user_id: toId(doc.userId, 'userId'),
    name: toText(doc.name, 'name'),
    token_hash: secret.hash,
    token_prefix: secret.prefix,
    role: toText(doc.role, 'role'),
    scopes: toTextArray(doc.scopes, 'scopes'),
    expires_at: toTimestamp(doc.expiresAt, 'expiresAt'),
    last_used_at: toTimestamp(doc.lastUsedAt, 'lastUsedAt'),
    revoked_at: toTimestamp(doc.revokedAt, 'revokedAt'),
    created_by: toId(doc.createdBy, 'createdBy'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const tokens = globalDataSet({
  name: 'tokens',
  tables: [table('tokens', COLUMNS)],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'tokens', rows: [tokenRow(doc)] }],
  references: scopeRefs,
});
