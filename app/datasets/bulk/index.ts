/** Bulk data sets run by the bulk engine; execution sequences follow them (execution-sequences.ts). */
import type { Config } from '../../config/load.js';
import type { DataSet } from '../types.js';
import { applicationAuditEvents } from './application-audit-events.js';
import { auditLogEvents } from './audit-log-events.js';
import { events } from './events.js';
import { reportingData } from './reporting-data.js';
import { testWorkflowExecutions, type DroppedFields } from './test-workflow-executions.js';
import { usageRecords } from './usage-records.js';

export function bulkDataSetList(config: Config, droppedExecutionFields?: DroppedFields): DataSet[] {
  return [
    usageRecords(config.convert.since),
    auditLogEvents,
    applicationAuditEvents,
    events,
    reportingData,
    testWorkflowExecutions(droppedExecutionFields),
  ];
}
