/**
 * agent_configs_<organizationId>_<environmentId> → agent_configs
 * (docs/data-model/environment-resources.md). A control-plane type (camelCase keys): `config`
 * is Relaxed Extended JSON, copied as it is, messy values included.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey } from '../../transform/record-values.js';
import { environmentOf, environmentRef, extraJson } from '../../transform/scoped-values.js';
import { toId, toInteger, toText, toTimestamp } from '../../transform/values.js';
import type { DataSet, PgValue, TransformContext } from '../types.js';

const TABLE = 'agent_configs';

const MAPPED = new Set(['_id', 'agentId', 'name', 'revision', 'config', 'createdAt', 'updatedAt', 'updatedBy']);

export const agentConfigColumns = [
  'id', 'organization_id', 'environment_id', 'agent_id', 'name', 'revision', 'config', 'created_at', 'updated_at', 'updated_by', 'extra',
] as const;

export function agentConfigRow(doc: Document, ctx: TransformContext): PgValue[] {
  const scope = environmentOf(ctx);
  return [
    objectIdKey(doc._id),
    scope.organizationId,
    scope.environmentId,
    toId(doc.agentId, 'agentId'),
    toText(doc.name, 'name'),
    toInteger(doc.revision, 'revision', 64),
    jsonbColumn(doc.config, 'config'),
    toTimestamp(doc.createdAt, 'createdAt'),
    toTimestamp(doc.updatedAt, 'updatedAt'),
    toId(doc.updatedBy, 'updatedBy'),
    extraJson(doc, MAPPED),
  ];
}

export const agentConfigs: DataSet = {
  name: 'agent_configs',
  phase: 'record',
  collection: 'agent_configs',
  scope: 'environment',
  tables: [{ table: TABLE, columns: agentConfigColumns, conflictKey: ['organization_id', 'environment_id', 'id'] }],
  dependsOn: ['environments'],
  transform: (doc, ctx) => [{ table: TABLE, rows: [agentConfigRow(doc, ctx)] }],
  idOf: (doc) => recordIdText(doc._id),
  references: (_doc, ctx) => [environmentRef(ctx)],
};
