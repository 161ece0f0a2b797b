/** settings → settings: one row per organisation (environment_id NULL) and per environment. */
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, requireIdText, rowOf, toIdText } from '../../transform/record-values.js';
import { extraFields, toId, toInteger, toTimestamp } from '../../transform/values.js';
import { globalDataSet, scopeRefs, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'environment_id', 'execution_retention_days', 'log_retention_days', 'artifact_retention_days', 'features', 'notifications', 'updated_at', 'updated_by', 'extra'] as const;
const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'executionRetentionDays', 'logRetentionDays', 'artifactRetentionDays', 'features', 'notifications', 'updatedAt', 'updatedBy']);

export function settingsRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    environment_id: toIdText(doc.environmentId, 'environmentId'),
    execution_retention_days: toInteger(doc.executionRetentionDays, 'executionRetentionDays'),
    log_retention_days: toInteger(doc.logRetentionDays, 'logRetentionDays'),
    artifact_retention_days: toInteger(doc.artifactRetentionDays, 'artifactRetentionDays'),
    features: jsonbColumn(doc.features, 'features'),
    notifications: jsonbColumn(doc.notifications, 'notifications'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    updated_by: toId(doc.updatedBy, 'updatedBy'),
    extra: extraFields(doc, MAPPED),
  });
}

export const settings = globalDataSet({
  name: 'settings',
  tables: [table('settings', COLUMNS)],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'settings', rows: [settingsRow(doc)] }],
  references: scopeRefs,
});
