/** ai_session_tool_calls_<organizationId> → ai_session_tool_calls (docs/data-model/ai.md): tool invocations of a session. */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, refId } from '../../transform/record-values.js';
import { extraJson, organizationOf, organizationRef, scopedKey } from '../../transform/scoped-values.js';
import { requireText, toId, toInteger, toText, toTimestamp } from '../../transform/values.js';
import type { DataSet, PgValue, TransformContext } from '../types.js';
import { SESSION_KEY } from './ai-sessions.js';

const TABLE = 'ai_session_tool_calls';

const MAPPED = new Set(['_id', 'sessionId', 'messageIndex', 'mcpServerId', 'toolName', 'arguments', 'result', 'status', 'error', 'approvedBy', 'durationMs', 'startedAt', 'finishedAt']);

export const aiSessionToolCallColumns = [
  'id', 'organization_id', 'session_id', 'message_index', 'mcp_server_id', 'tool_name', 'arguments', 'result', 'status', 'error',
  'approved_by', 'duration_ms', 'started_at', 'finished_at', 'extra',
] as const;

export function aiSessionToolCallRow(doc: Document, ctx: TransformContext): PgValue[] {
  return [
    objectIdKey(doc._id),
    organizationOf(ctx),
    requireText(toId(doc.sessionId, 'sessionId'), 'sessionId'),
    toInteger(doc.messageIndex, 'messageIndex'),
    toId(doc.mcpServerId, 'mcpServerId'),
    requireText(doc.toolName, 'toolName'),
    jsonbColumn(doc.arguments, 'arguments'),
    // A document, a string (a JSON string in jsonb) or null while not succeeded.
    jsonbColumn(doc.result, 'result'),
    toText(doc.status, 'status'),
    toText(doc.error, 'error'),
    toId(doc.approvedBy, 'approvedBy'),
    toInteger(doc.durationMs, 'durationMs', 64),
    toTimestamp(doc.startedAt, 'startedAt'),
    toTimestamp(doc.finishedAt, 'finishedAt'),
    extraJson(doc, MAPPED),
  ];
}

export const aiSessionToolCalls: DataSet = {
  name: 'ai_session_tool_calls',
  phase: 'record',
  collection: 'ai_session_tool_calls',
  scope: 'organization',
  tables: [{ table: TABLE, columns: aiSessionToolCallColumns, conflictKey: ['organization_id', 'id'] }],
  dependsOn: ['ai_sessions'],
  transform: (doc, ctx) => [{ table: TABLE, rows: [aiSessionToolCallRow(doc, ctx)] }],
  idOf: (doc) => recordIdText(doc._id),
  references: (doc, ctx) => {
    const session = refId(doc.sessionId);
    return [
      organizationRef(ctx),
      { kind: SESSION_KEY, id: session !== null && ctx.organizationId !== undefined ? scopedKey(ctx.organizationId, session) : null, field: 'sessionId' },
    ];
  },
};
