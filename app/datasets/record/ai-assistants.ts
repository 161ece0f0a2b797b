/**
 * ai_assistants_<organizationId> → ai_assistants (docs/data-model/ai.md). Legacy documents name
 * the system prompt `systemPrompt` and repeat their organisation in `organizationId`, which must
 * be the collection's organisation: another one is an integrity error, never silently re-homed.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import type { Reference } from '../../engine/integrity.js';
import { objectIdKey, toTextArray } from '../../transform/record-values.js';
import { doubleValue, extraJson, organizationOf, organizationRef } from '../../transform/scoped-values.js';
import { bsonTypeName, requireText, toBool, toId, toInteger, toText, toTimestamp, valueError } from '../../transform/values.js';
import type { DataSet, PgValue, TransformContext } from '../types.js';

const TABLE = 'ai_assistants';

const MAPPED = ['_id', 'name', 'description', 'llmProviderId', 'model', 'temperature', 'maxTokens', 'mcpServerIds', 'enabled', 'isDefault', 'createdBy', 'createdAt', 'updatedAt'];

export const aiAssistantColumns = [
  'id', 'organization_id', 'name', 'description', 'instructions', 'llm_provider_id', 'model', 'temperature', 'max_tokens',
  'mcp_server_ids', 'enabled', 'is_default', 'created_by', 'created_at', 'updated_at', 'extra',
] as const;

/** `instructions`, else (legacy) `systemPrompt`; whichever is not the column's source stays in extra. */
function promptField(doc: Document): 'instructions' | 'systemPrompt' {
  return doc.instructions === undefined && doc.systemPrompt !== undefined ? 'systemPrompt' : 'instructions';
}

/** The legacy `organizationId`, when present: it must be a string. */
function legacyOrganizationId(doc: Document): string | null | undefined {
  const value: unknown = doc.organizationId;
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') throw valueError('type-mismatch', `expected a string, got ${bsonTypeName(value)}`, 'organizationId');
  return value;
}

export function aiAssistantRow(doc: Document, ctx: TransformContext): PgValue[] {
  const organizationId = organizationOf(ctx);
  const prompt = promptField(doc);
  const mapped = new Set([...MAPPED, prompt]);
  // Kept only when it just repeats the collection's organisation; anything else stays in extra.
  if (legacyOrganizationId(doc) === organizationId) mapped.add('organizationId');
  return [
    objectIdKey(doc._id),
    organizationId,
    requireText(doc.name, 'name'),
    toText(doc.description, 'description'),
    toText(doc[prompt], prompt),
    toId(doc.llmProviderId, 'llmProviderId'),
    toText(doc.model, 'model'),
    doubleValue(doc.temperature, 'temperature'),
    toInteger(doc.maxTokens, 'maxTokens'),
    toTextArray(doc.mcpServerIds, 'mcpServerIds', { maxLength: 64 }),
    toBool(doc.enabled, 'enabled'),
    toBool(doc.isDefault, 'isDefault'),
    toId(doc.createdBy, 'createdBy'),
    toTimestamp(doc.createdAt, 'createdAt'),
    toTimestamp(doc.updatedAt, 'updatedAt'),
    extraJson(doc, mapped),
  ];
}

/**
 * A legacy `organizationId` naming another organisation cannot be expressed as a key that
 * exists, so it is reported through the integrity check with a key no organisation can have.
 */
function organizationMismatch(doc: Document, ctx: TransformContext): Reference[] {
  const claimed: unknown = doc.organizationId;
  if (typeof claimed !== 'string' || ctx.organizationId === undefined || claimed === ctx.organizationId) return [];
  return [{ kind: 'organization', id: `${claimed} (the document is in the collection of ${ctx.organizationId})`, field: 'organizationId' }];
}

export const aiAssistants: DataSet = {
  name: 'ai_assistants',
  phase: 'record',
  collection: 'ai_assistants',
  scope: 'organization',
  tables: [{ table: TABLE, columns: aiAssistantColumns, conflictKey: ['organization_id', 'id'] }],
  dependsOn: ['organizations'],
  transform: (doc, ctx) => [{ table: TABLE, rows: [aiAssistantRow(doc, ctx)] }],
  idOf: (doc) => recordIdText(doc._id),
  references: (doc, ctx) => [organizationRef(ctx), ...organizationMismatch(doc, ctx)],
};
