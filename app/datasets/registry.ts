/** Every data set, in the order the phases run them (parents before children). */
import type { Config } from '../config/load.js';
import { usageRecords } from './bulk/usage-records.js';
import { organizations } from './record/organizations.js';
import type { DataSet } from './types.js';

export function recordDataSets(_config: Config): DataSet[] {
  return [organizations];
}

export function bulkDataSets(config: Config): DataSet[] {
  return [usageRecords(config.convert.since)];
}
