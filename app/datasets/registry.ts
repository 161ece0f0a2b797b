/** Every data set, in the order the phases run them (parents before children). */
import type { Config } from '../config/load.js';
import { bulkDataSetList } from './bulk/index.js';
import type { DroppedFields } from './bulk/test-workflow-executions.js';
import { globalRecordDataSets } from './record/global.js';
import { scopedRecordDataSets } from './record/scoped.js';
import type { DataSet } from './types.js';

export function recordDataSets(config: Config): DataSet[] {
  return [...globalRecordDataSets(config), ...scopedRecordDataSets(config)];
}

export function bulkDataSets(config: Config, droppedExecutionFields?: DroppedFields): DataSet[] {
  return bulkDataSetList(config, droppedExecutionFields);
}
