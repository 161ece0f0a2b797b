/**
 * ai_agent_triggers_<organizationId> → ai_agent_triggers (docs/data-model/ai.md): start an
 * assistant session on an event. `environmentId`, when present, must be an environment of the
 * collection's organisation (hard reference); the assistant is a soft one.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey } from '../../transform/record-values.js';
import { extraJson, optionalEnvironmentRef, organizationOf, organizationRef } from '../../transform/scoped-values.js';
import { requireText, toBool, toId, toInteger, toText, toTimestamp } from '../../transform/values.js';
import type { DataSet, PgValue, TransformContext } from '../types.js';

const TABLE = 'ai_agent_triggers';

const MAPPED = new Set(['_id', 'assistantId', 'name', 'environmentId', 'event', 'selector', 'prompt', 'enabled', 'cooldownSeconds', 'lastTriggeredAt', 'createdBy', 'createdAt', 'updatedAt']);

export const aiAgentTriggerColumns = [
  'id', 'organization_id', 'assistant_id', 'environment_id', 'name', 'event', 'selector', 'prompt', 'enabled', 'cooldown_seconds',
  'last_triggered_at', 'created_by', 'created_at', 'updated_at', 'extra',
] as const;

export function aiAgentTriggerRow(doc: Document, ctx: TransformContext): PgValue[] {
  return [
    objectIdKey(doc._id),
    organizationOf(ctx),
    toId(doc.assistantId, 'assistantId'),
    toId(doc.environmentId, 'environmentId'),
    requireText(doc.name, 'name'),
    toText(doc.event, 'event'),
    jsonbColumn(doc.selector, 'selector'),
    toText(doc.prompt, 'prompt'),
    toBool(doc.enabled, 'enabled'),
    toInteger(doc.cooldownSeconds, 'cooldownSeconds'),
    toTimestamp(doc.lastTriggeredAt, 'lastTriggeredAt'),
    toId(doc.createdBy, 'createdBy'),
    toTimestamp(doc.createdAt, 'createdAt'),
    toTimestamp(doc.updatedAt, 'updatedAt'),
    extraJson(doc, MAPPED),
  ];
}

export const aiAgentTriggers: DataSet = {
  name: 'ai_agent_triggers',
  phase: 'record',
  collection: 'ai_agent_triggers',
  scope: 'organization',
  tables: [{ table: TABLE, columns: aiAgentTriggerColumns, conflictKey: ['organization_id', 'id'] }],
  dependsOn: ['environments'],
  transform: (doc, ctx) => [{ table: TABLE, rows: [aiAgentTriggerRow(doc, ctx)] }],
  idOf: (doc) => recordIdText(doc._id),
  references: (doc, ctx) => [organizationRef(ctx), optionalEnvironmentRef(ctx, doc.environmentId)],
};
