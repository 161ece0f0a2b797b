/** cron_schedules → cron_schedules: the scheduler's cron entries for workflows (global collection). */
import type { Document } from 'mongodb';
import { jsonbColumn, objectIdKey, requireIdText, rowOf } from '../../transform/record-values.js';
import { extraFields, requireText, toBool, toInteger, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, scopeRefs, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'environment_id', 'workflow_name', 'cron', 'timezone', 'enabled', 'next_run_at', 'last_run_at', 'last_execution_id', 'config', 'consecutive_failures', 'revision', 'created_at', 'updated_at', 'extra'] as const;
const MAPPED = new Set(['_id', 'organizationId', 'environmentId', 'workflowName', 'cron', 'timezone', 'enabled', 'nextRunAt', 'lastRunAt', 'lastExecutionId', 'config', 'consecutiveFailures', 'revision', 'createdAt', 'updatedAt']);

export function cronScheduleRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    environment_id: requireIdText(doc.environmentId, 'environmentId'),
    workflow_name: requireText(doc.workflowName, 'workflowName', { maxLength: 255 }),
    cron: requireText(doc.cron, 'cron'),
    timezone: toText(doc.timezone, 'timezone'),
    enabled: toBool(doc.enabled, 'enabled'),
    next_run_at: toTimestamp(doc.nextRunAt, 'nextRunAt'),
    last_run_at: toTimestamp(doc.lastRunAt, 'lastRunAt'),
    last_execution_id: toText(doc.lastExecutionId, 'lastExecutionId', { maxLength: 64 }),
    config: jsonbColumn(doc.config, 'config'),
    consecutive_failures: toInteger(doc.consecutiveFailures, 'consecutiveFailures'),
    revision: toInteger(doc.revision, 'revision', 64),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const cronSchedules = globalDataSet({
  name: 'cron_schedules',
  tables: [table('cron_schedules', COLUMNS)],
  dependsOn: ['organizations', 'environments'],
  transform: (doc) => [{ table: 'cron_schedules', rows: [cronScheduleRow(doc)] }],
  references: scopeRefs,
});
