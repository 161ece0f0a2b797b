/**
 * Values no B-tree index can hold. The bulk tables' secondary indexes are set aside during the load
 * (deferred-constraints.ts), so PostgreSQL would refuse an oversized entry only when the index is
 * rebuilt at the end, failing the run with nothing reported per record (issue 13, D6). Each row is
 * therefore measured against every B-tree index of its table before it is loaded; a record with
 * an entry over the limit is reported (INDEX_KEY_TOO_LARGE) and not loaded.
 */
import type { PgValue, TableSpec, TransformOutput } from '../datasets/types.js';
import type { FailedRecord } from '../report/error-report.js';
import type { PoolClient } from '../sink/postgres.js';

/**
 * PostgreSQL refuses a B-tree entry over 2704 bytes (8 kB pages, "index row size … exceeds btree
 * version 4 maximum 2704"); the entry also holds an 8-byte header and per-column headers and
 * alignment, so this many bytes of column data always fit. Values are counted uncompressed.
 */
export const INDEX_KEY_LIMIT_BYTES = 2600;
/** What a non-text value may take in an entry, at most (timestamps, numbers, booleans). */
const FIXED_VALUE_BYTES = 16;

export const INDEX_KEY_TOO_LARGE = 'INDEX_KEY_TOO_LARGE';

/** B-tree indexes per table: index name and the columns its entries hold. */
export type IndexKeys = Record<string, Array<{ name: string; columns: string[] }>>;

type Queryable = Pick<PoolClient, 'query'>;

/** The columns of each B-tree index of a table (expression parts are not counted). */
export const BTREE_KEY_COLUMNS_SQL = `
  SELECT c.relname AS name, array_agg(a.attname::text ORDER BY k.ord) AS columns
    FROM pg_index x
    JOIN pg_class c ON c.oid = x.indexrelid
    JOIN pg_am am ON am.oid = c.relam AND am.amname = 'btree'
    CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
   WHERE x.indrelid = to_regclass($1)
   GROUP BY c.relname`;

/** B-tree indexes of the tables, present or set aside for the load (mongo2pg.deferred_objects). */
export async function btreeIndexKeys(client: Queryable, tables: readonly string[]): Promise<IndexKeys> {
  const out: IndexKeys = {};
  const deferred = await client.query<{ present: boolean }>("SELECT to_regclass('mongo2pg.deferred_objects') IS NOT NULL AS present");
  for (const table of new Set(tables)) {
    const live = await client.query<{ name: string; columns: string[] }>(BTREE_KEY_COLUMNS_SQL, [table]);
    const indexes = [...live.rows];
    if (deferred.rows[0]?.present) {
      const set = await client.query<{ name: string; columns: string[] }>(
        "SELECT name, key_columns AS columns FROM mongo2pg.deferred_objects WHERE table_name = $1 AND kind = 'index' AND key_columns IS NOT NULL",
        [table],
      );
      indexes.push(...set.rows);
    }
    if (indexes.length > 0) out[table] = indexes;
  }
  return out;
}

function valueBytes(v: PgValue): number {
  if (v === null) return 0;
  if (typeof v !== 'string') return FIXED_VALUE_BYTES;
  // UTF-8 takes at most 3 bytes per UTF-16 unit: measure only when that could exceed the limit.
  return v.length * 3 <= INDEX_KEY_LIMIT_BYTES ? v.length : Buffer.byteLength(v, 'utf8');
}

/** Column positions of a table's indexes, worked out once per batch (the IndexKeys object a batch carries). */
const positionsOf = new WeakMap<object, number[][]>();

function positions(indexes: IndexKeys[string], spec: TableSpec): number[][] {
  let found = positionsOf.get(indexes);
  if (!found) {
    found = indexes.map((index) => index.columns.map((c) => spec.columns.indexOf(c)).filter((i) => i >= 0));
    positionsOf.set(indexes, found);
  }
  return found;
}

/**
 * Why a document's rows cannot be indexed, or null. `tables` are the data set's table specs,
 * `keys` the indexes of those tables.
 */
export function oversizedIndexEntry(output: TransformOutput, tables: readonly TableSpec[], keys: IndexKeys | undefined): Omit<FailedRecord, 'id'> | null {
  if (!keys) return null;
  for (const part of output) {
    const indexes = keys[part.table];
    if (!indexes) continue;
    const spec = tables.find((t) => t.table === part.table);
    if (!spec) continue;
    const columnsOf = positions(indexes, spec);
    for (const [n, index] of indexes.entries()) {
      const at = columnsOf[n] as number[];
      for (const row of part.rows) {
        let bytes = 0;
        for (const i of at) bytes += valueBytes(row[i] ?? null);
        if (bytes > INDEX_KEY_LIMIT_BYTES) {
          return {
            error: `index ${index.name} on ${part.table} (${index.columns.join(', ')}) would hold ${bytes} bytes for this record; a B-tree entry holds at most 2704 bytes (${INDEX_KEY_LIMIT_BYTES} bytes of values are allowed)`,
            code: INDEX_KEY_TOO_LARGE,
            context: { table: part.table, index: index.name, bytes },
          };
        }
      }
    }
  }
  return null;
}
