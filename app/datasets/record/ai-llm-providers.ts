/**
 * ai_llm_providers_<organizationId> → ai_llm_providers (docs/data-model/ai.md). The API key is
 * not in the document: it is a credential, referenced by id (soft).
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, toTextArray } from '../../transform/record-values.js';
import { organizationOf, organizationRef, extraJson } from '../../transform/scoped-values.js';
import { requireText, toBool, toId, toText, toTimestamp } from '../../transform/values.js';
import type { DataSet, PgValue, TransformContext } from '../types.js';

const TABLE = 'ai_llm_providers';

const MAPPED = new Set(['_id', 'name', 'provider', 'baseUrl', 'defaultModel', 'models', 'apiKeyCredentialId', 'options', 'enabled', 'createdBy', 'createdAt', 'updatedAt']);

export const aiLlmProviderColumns = [
  'id', 'organization_id', 'name', 'provider', 'base_url', 'default_model', 'models', 'api_key_credential_id',
  'options', 'enabled', 'created_by', 'created_at', 'updated_at', 'extra',
] as const;

export function aiLlmProviderRow(doc: Document, ctx: TransformContext): PgValue[] {
  return [
    objectIdKey(doc._id),
    organizationOf(ctx),
    requireText(doc.name, 'name'),
    requireText(doc.provider, 'provider'),
    toText(doc.baseUrl, 'baseUrl'),
    toText(doc.defaultModel, 'defaultModel'),
    toTextArray(doc.models, 'models'),
    toId(doc.apiKeyCredentialId, 'apiKeyCredentialId'),
    jsonbColumn(doc.options, 'options'),
    toBool(doc.enabled, 'enabled'),
    toId(doc.createdBy, 'createdBy'),
    toTimestamp(doc.createdAt, 'createdAt'),
    toTimestamp(doc.updatedAt, 'updatedAt'),
    extraJson(doc, MAPPED),
  ];
}

export const aiLlmProviders: DataSet = {
  name: 'ai_llm_providers',
  phase: 'record',
  collection: 'ai_llm_providers',
  scope: 'organization',
  tables: [{ table: TABLE, columns: aiLlmProviderColumns, conflictKey: ['organization_id', 'id'] }],
  dependsOn: ['organizations'],
  transform: (doc, ctx) => [{ table: TABLE, rows: [aiLlmProviderRow(doc, ctx)] }],
  idOf: (doc) => recordIdText(doc._id),
  references: (_doc, ctx) => [organizationRef(ctx)],
};
