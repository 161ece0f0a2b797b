/** config → config: installation-wide settings, one document per key (the string `_id`). */
import type { Document } from 'mongodb';
import { jsonbColumn, rowOf, stringKey } from '../../transform/record-values.js';
import { extraFields, toId, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, table } from './define.js';

const COLUMNS = ['id', 'value', 'description', 'updated_at', 'updated_by', 'extra'] as const;
const MAPPED = new Set(['_id', 'value', 'description', 'updatedAt', 'updatedBy']);

export function configRow(doc: Document) {
  return rowOf(COLUMNS, {
    // `id text`: the key has no length limit.
    id: stringKey(doc._id, '_id', undefined),
    value: jsonbColumn(doc.value, 'value'),
    description: toText(doc.description, 'description'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    updated_by: toId(doc.updatedBy, 'updatedBy'),
    extra: extraFields(doc, MAPPED),
  });
}

export const config = globalDataSet({
  name: 'config',
  tables: [table('config', COLUMNS)],
  dependsOn: [],
  transform: (doc) => [{ table: 'config', rows: [configRow(doc)] }],
});
