/**
 * agents → agents. `environment_ids` is an array without a foreign key: an environment that does
 * not exist is kept as is (docs/data-model/identity.md), never an integrity error.
 */
import type { Document } from 'mongodb';
import { jsonbColumn, requireIdText, rowOf, stringKey, toTextArray } from '../../transform/record-values.js';
import { extraFields, isMissing, requireText, toBool, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, organizationRef, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'name', 'type', 'environment_ids', 'labels', 'namespace', 'version', 'secret_key_hash', 'capabilities', 'is_global', 'disabled', 'last_seen_at', 'created_at', 'updated_at', 'deleted_at', 'extra'] as const;
const MAPPED = ['_id', 'organizationId', 'name', 'type', 'labels', 'namespace', 'version', 'secretKeyHash', 'capabilities', 'isGlobal', 'disabled', 'lastSeenAt', 'createdAt', 'updatedAt', 'deletedAt'];

/**
 * `environmentIds`, or `[environmentId]` for legacy agents; '{}' when neither (the column is NOT
 * NULL). Returns the source key it used; the other one, if present, stays in extra.
 */
function environmentIds(doc: Document): { value: string; key: string | null } {
  const ids: unknown = doc.environmentIds;
  if (ids === undefined && !isMissing(doc.environmentId)) return { value: toTextArray([doc.environmentId], 'environmentId', { maxLength: 64 }) as string, key: 'environmentId' };
  // Missing or null: no environments. A null stays in extra, so null and missing remain apart.
  if (isMissing(ids)) return { value: '{}', key: null };
  return { value: toTextArray(ids, 'environmentIds', { maxLength: 64 }) as string, key: 'environmentIds' };
}

export function agentRow(doc: Document) {
  const envs = environmentIds(doc);
  return rowOf(COLUMNS, {
    id: stringKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    name: requireText(doc.name, 'name'),
    type: toText(doc.type, 'type'),
    environment_ids: envs.value,
    labels: jsonbColumn(doc.labels, 'labels'),
    namespace: toText(doc.namespace, 'namespace'),
    version: toText(doc.version, 'version'),
    secret_key_hash: toText(doc.secretKeyHash, 'secretKeyHash'),
    capabilities: toTextArray(doc.capabilities, 'capabilities'),
    is_global: toBool(doc.isGlobal, 'isGlobal'),
    disabled: toBool(doc.disabled, 'disabled'),
    last_seen_at: toTimestamp(doc.lastSeenAt, 'lastSeenAt'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    deleted_at: toTimestamp(doc.deletedAt, 'deletedAt'),
    extra: extraFields(doc, new Set(envs.key === null ? MAPPED : [...MAPPED, envs.key])),
  });
}

export const agents = globalDataSet({
  name: 'agents',
  tables: [table('agents', COLUMNS)],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'agents', rows: [agentRow(doc)] }],
  references: (doc) => [organizationRef(doc)],
});
