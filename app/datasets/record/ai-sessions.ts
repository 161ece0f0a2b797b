/**
 * ai_sessions_<organizationId> → ai_sessions (docs/data-model/ai.md). `usage` is split into
 * input_tokens / output_tokens / cost_usd (exact); its other keys go to extra under "usage".
 * Provides 'ai_session' keys (organisation/id) for the tool calls.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey } from '../../transform/record-values.js';
import { documentOrNothing, extraJson, optionalEnvironmentRef, organizationOf, organizationRef, scopedKey } from '../../transform/scoped-values.js';
import { toId, toInteger, toNumericText, toText, toTimestamp } from '../../transform/values.js';
import type { DataSet, PgValue, TransformContext } from '../types.js';

const TABLE = 'ai_sessions';

export const SESSION_KEY = 'ai_session';

const MAPPED = ['_id', 'assistantId', 'userId', 'environmentId', 'title', 'status', 'trigger', 'messages', 'usage', 'startedAt', 'lastActivityAt', 'endedAt'];
const USAGE_MAPPED = new Set(['inputTokens', 'outputTokens', 'costUsd']);

export const aiSessionColumns = [
  'id', 'organization_id', 'assistant_id', 'user_id', 'environment_id', 'title', 'status', 'trigger', 'messages',
  'input_tokens', 'output_tokens', 'cost_usd', 'started_at', 'last_activity_at', 'ended_at', 'extra',
] as const;

export function aiSessionRow(doc: Document, ctx: TransformContext): PgValue[] {
  const usage = documentOrNothing(doc.usage, 'usage') ?? {};
  const usageRest = new Map(Object.keys(usage).filter((k) => !USAGE_MAPPED.has(k)).map((k) => [k, usage[k] as unknown]));
  // An explicit `usage: null` has no column to show it: it stays in extra as null.
  const mapped = new Set(doc.usage === null ? MAPPED.filter((k) => k !== 'usage') : MAPPED);
  return [
    objectIdKey(doc._id),
    organizationOf(ctx),
    toId(doc.assistantId, 'assistantId'),
    toId(doc.userId, 'userId'),
    toId(doc.environmentId, 'environmentId'),
    toText(doc.title, 'title'),
    toText(doc.status, 'status'),
    jsonbColumn(doc.trigger, 'trigger'),
    jsonbColumn(doc.messages, 'messages'),
    toInteger(usage.inputTokens, 'usage.inputTokens', 64),
    toInteger(usage.outputTokens, 'usage.outputTokens', 64),
    toNumericText(usage.costUsd, 'usage.costUsd'),
    toTimestamp(doc.startedAt, 'startedAt'),
    toTimestamp(doc.lastActivityAt, 'lastActivityAt'),
    toTimestamp(doc.endedAt, 'endedAt'),
    extraJson(doc, mapped, new Map([['usage', usageRest]])),
  ];
}

export const aiSessions: DataSet = {
  name: 'ai_sessions',
  phase: 'record',
  collection: 'ai_sessions',
  scope: 'organization',
  tables: [{ table: TABLE, columns: aiSessionColumns, conflictKey: ['organization_id', 'id'] }],
  dependsOn: ['environments'],
  transform: (doc, ctx) => [{ table: TABLE, rows: [aiSessionRow(doc, ctx)] }],
  idOf: (doc) => recordIdText(doc._id),
  provides: { kind: SESSION_KEY, key: (doc, ctx) => scopedKey(organizationOf(ctx), objectIdKey(doc._id)) },
  references: (doc, ctx) => [organizationRef(ctx), optionalEnvironmentRef(ctx, doc.environmentId)],
};
