/** ai_mcp_server_tools_<organizationId> → ai_mcp_server_tools (docs/data-model/ai.md): tools discovered on an MCP server. */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, refId } from '../../transform/record-values.js';
import { extraJson, organizationOf, organizationRef, scopedKey } from '../../transform/scoped-values.js';
import { requireText, toBool, toId, toText, toTimestamp } from '../../transform/values.js';
import type { DataSet, PgValue, TransformContext } from '../types.js';
import { MCP_SERVER_KEY } from './ai-mcp-servers.js';

const TABLE = 'ai_mcp_server_tools';

const MAPPED = new Set(['_id', 'mcpServerId', 'name', 'description', 'inputSchema', 'annotations', 'enabled', 'requiresApproval', 'discoveredAt', 'updatedAt']);

export const aiMcpServerToolColumns = [
  'id', 'organization_id', 'mcp_server_id', 'name', 'description', 'input_schema', 'annotations', 'enabled', 'requires_approval', 'discovered_at', 'updated_at', 'extra',
] as const;

export function aiMcpServerToolRow(doc: Document, ctx: TransformContext): PgValue[] {
  return [
    objectIdKey(doc._id),
    organizationOf(ctx),
    requireText(toId(doc.mcpServerId, 'mcpServerId'), 'mcpServerId'),
    requireText(doc.name, 'name'),
    toText(doc.description, 'description'),
    // A JSON Schema: "$schema" and "$ref" keys are ordinary keys here, kept as they are.
    jsonbColumn(doc.inputSchema, 'inputSchema'),
    jsonbColumn(doc.annotations, 'annotations'),
    toBool(doc.enabled, 'enabled'),
    toBool(doc.requiresApproval, 'requiresApproval'),
    toTimestamp(doc.discoveredAt, 'discoveredAt'),
    toTimestamp(doc.updatedAt, 'updatedAt'),
    extraJson(doc, MAPPED),
  ];
}

export const aiMcpServerTools: DataSet = {
  name: 'ai_mcp_server_tools',
  phase: 'record',
  collection: 'ai_mcp_server_tools',
  scope: 'organization',
  tables: [{ table: TABLE, columns: aiMcpServerToolColumns, conflictKey: ['organization_id', 'id'] }],
  dependsOn: ['ai_mcp_servers'],
  transform: (doc, ctx) => [{ table: TABLE, rows: [aiMcpServerToolRow(doc, ctx)] }],
  idOf: (doc) => recordIdText(doc._id),
  references: (doc, ctx) => {
    const server = refId(doc.mcpServerId);
    return [
      organizationRef(ctx),
      { kind: MCP_SERVER_KEY, id: server !== null && ctx.organizationId !== undefined ? scopedKey(ctx.organizationId, server) : null, field: 'mcpServerId' },
    ];
  },
};
