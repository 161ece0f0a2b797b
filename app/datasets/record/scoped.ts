/** Record-level data sets with one collection per organisation or per organisation/environment. */
import type { Config } from '../../config/load.js';
import type { DataSet } from '../types.js';

export function scopedRecordDataSets(_config: Config): DataSet[] {
  return [];
}
