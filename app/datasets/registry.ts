/** Every data set, in the order the phases run them (parents before children). */
import type { Config } from '../config/load.js';
import { testWorkflowExecutions, type DroppedFields } from './bulk/test-workflow-executions.js';
import { usageRecords } from './bulk/usage-records.js';
import { organizations } from './record/organizations.js';
import type { DataSet } from './types.js';

export function recordDataSets(_config: Config): DataSet[] {
  return [organizations];
}

/** Bulk data sets run by the bulk engine; execution sequences follow them (execution-sequences.ts). */
export function bulkDataSets(config: Config, droppedExecutionFields?: DroppedFields): DataSet[] {
  return [usageRecords(config.convert.since), testWorkflowExecutions(droppedExecutionFields)];
}
