/** Record-level data sets read from one collection each (or embedded in one), parents first. */
import type { Config } from '../../config/load.js';
import type { DataSet } from '../types.js';
import { organizations } from './organizations.js';

export function globalRecordDataSets(_config: Config): DataSet[] {
  return [organizations];
}
