/**
 * ai_mcp_servers_<organizationId> → ai_mcp_servers (docs/data-model/ai.md). Provides
 * 'ai_mcp_server' keys (organisation/id) for the servers' tokens and tools.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey } from '../../transform/record-values.js';
import { extraJson, organizationOf, organizationRef, scopedKey } from '../../transform/scoped-values.js';
import { requireText, toBool, toId, toText, toTimestamp } from '../../transform/values.js';
import type { DataSet, PgValue, TransformContext } from '../types.js';

const TABLE = 'ai_mcp_servers';

export const MCP_SERVER_KEY = 'ai_mcp_server';

const MAPPED = new Set(['_id', 'name', 'url', 'transport', 'authType', 'headers', 'builtin', 'enabled', 'createdBy', 'createdAt', 'updatedAt']);

export const aiMcpServerColumns = [
  'id', 'organization_id', 'name', 'url', 'transport', 'auth_type', 'headers', 'builtin', 'enabled', 'created_by', 'created_at', 'updated_at', 'extra',
] as const;

export function aiMcpServerRow(doc: Document, ctx: TransformContext): PgValue[] {
  return [
    objectIdKey(doc._id),
    organizationOf(ctx),
    requireText(doc.name, 'name'),
    toText(doc.url, 'url'),
    toText(doc.transport, 'transport'),
    toText(doc.authType, 'authType'),
    // Header values may hold credential placeholders; they are copied, never resolved.
    jsonbColumn(doc.headers, 'headers'),
    toBool(doc.builtin, 'builtin'),
    toBool(doc.enabled, 'enabled'),
    toId(doc.createdBy, 'createdBy'),
    toTimestamp(doc.createdAt, 'createdAt'),
    toTimestamp(doc.updatedAt, 'updatedAt'),
    extraJson(doc, MAPPED),
  ];
}

export const aiMcpServers: DataSet = {
  name: 'ai_mcp_servers',
  phase: 'record',
  collection: 'ai_mcp_servers',
  scope: 'organization',
  tables: [{ table: TABLE, columns: aiMcpServerColumns, conflictKey: ['organization_id', 'id'] }],
  dependsOn: ['organizations'],
  transform: (doc, ctx) => [{ table: TABLE, rows: [aiMcpServerRow(doc, ctx)] }],
  idOf: (doc) => recordIdText(doc._id),
  provides: { kind: MCP_SERVER_KEY, key: (doc, ctx) => scopedKey(organizationOf(ctx), objectIdKey(doc._id)) },
  references: (_doc, ctx) => [organizationRef(ctx)],
};
