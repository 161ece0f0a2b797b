/**
 * ai_mcp_server_tokens_<organizationId> → ai_mcp_server_tokens (docs/data-model/ai.md). Only the
 * SHA-256 of a token is stored. A plaintext `token` (not in the model; old API tokens had one)
 * is hashed like the API tokens' legacy field and never copied, not even into `extra`, and no
 * error message quotes it.
 */
import { recordIdText } from '../../source/record-id.js';
import { createHash } from 'node:crypto';
import type { Document } from 'mongodb';
import { TransformError } from '../../errors.js';
import { objectIdKey, refId, toTextArray } from '../../transform/record-values.js';
import { extraJson, organizationOf, organizationRef, scopedKey } from '../../transform/scoped-values.js';
import { bsonTypeName, checkText, requireText, toId, toText, toTimestamp, valueError } from '../../transform/values.js';
import type { DataSet, PgValue, TransformContext } from '../types.js';
import { MCP_SERVER_KEY } from './ai-mcp-servers.js';

const TABLE = 'ai_mcp_server_tokens';

const MAPPED = new Set(['_id', 'mcpServerId', 'name', 'tokenHash', 'prefix', 'token', 'scopes', 'expiresAt', 'lastUsedAt', 'createdBy', 'createdAt']);

/** Characters of the token shown for recognition (`tkcmcp_` + 4). */
const PREFIX_LENGTH = 11;

export const aiMcpServerTokenColumns = [
  'id', 'organization_id', 'mcp_server_id', 'name', 'token_hash', 'token_prefix', 'scopes', 'expires_at', 'last_used_at', 'created_by', 'created_at', 'extra',
] as const;

/** token_hash and token_prefix: the stored ones, or derived from a plaintext `token`, which must agree with them. */
function tokenColumns(doc: Document): { hash: string; prefix: string | null } {
  const plain: unknown = doc.token;
  if (plain === undefined || plain === null) return { hash: requireText(doc.tokenHash, 'tokenHash'), prefix: toText(doc.prefix, 'prefix') };
  if (typeof plain !== 'string') throw valueError('type-mismatch', `expected a string, got ${bsonTypeName(plain)}`, 'token');
  checkText(plain, 'token');
  const hash = createHash('sha256').update(plain, 'utf8').digest('hex');
  const stored = toText(doc.tokenHash, 'tokenHash');
  if (stored !== null && stored !== hash) throw new TransformError('does not match the SHA-256 of the plaintext token in the same document', { field: 'tokenHash' });
  return { hash, prefix: toText(doc.prefix, 'prefix') ?? plain.slice(0, PREFIX_LENGTH) };
}

export function aiMcpServerTokenRow(doc: Document, ctx: TransformContext): PgValue[] {
  const token = tokenColumns(doc);
  return [
    objectIdKey(doc._id),
    organizationOf(ctx),
    requireText(toId(doc.mcpServerId, 'mcpServerId'), 'mcpServerId'),
    toText(doc.name, 'name'),
    token.hash,
    token.prefix,
    toTextArray(doc.scopes, 'scopes'),
    toTimestamp(doc.expiresAt, 'expiresAt'),
    toTimestamp(doc.lastUsedAt, 'lastUsedAt'),
    toId(doc.createdBy, 'createdBy'),
    toTimestamp(doc.createdAt, 'createdAt'),
    extraJson(doc, MAPPED),
  ];
}

export const aiMcpServerTokens: DataSet = {
  name: 'ai_mcp_server_tokens',
  phase: 'record',
  collection: 'ai_mcp_server_tokens',
  scope: 'organization',
  tables: [{ table: TABLE, columns: aiMcpServerTokenColumns, conflictKey: ['organization_id', 'id'] }],
  dependsOn: ['ai_mcp_servers'],
  transform: (doc, ctx) => [{ table: TABLE, rows: [aiMcpServerTokenRow(doc, ctx)] }],
  idOf: (doc) => recordIdText(doc._id),
  references: (doc, ctx) => {
    const server = refId(doc.mcpServerId);
    return [
      organizationRef(ctx),
      { kind: MCP_SERVER_KEY, id: server !== null && ctx.organizationId !== undefined ? scopedKey(ctx.organizationId, server) : null, field: 'mcpServerId' },
    ];
  },
};
