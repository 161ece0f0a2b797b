/**
 * The PostgreSQL types of a table's columns, for type-aware comparison: a transform's text is
 * cast to the column's base type (without typmod, so a value too long for varchar(n) is never
 * silently cut by the cast) and both sides are printed by PostgreSQL's own output functions.
 */
import { escapeIdentifier } from 'pg';
import { VerificationError } from '../errors.js';
import type { PgValue, TableSpec } from '../datasets/types.js';
import type { Pool } from '../sink/postgres.js';

export interface TableShape {
  spec: TableSpec;
  /** Base type per column of spec.columns, as format_type prints it (`timestamp with time zone`). */
  types: string[];
  /** Indexes into spec.columns of the conflict key. */
  keyIndexes: number[];
}

type Queryable = Pick<Pool, 'query'>;

export async function tableShape(pool: Queryable, spec: TableSpec): Promise<TableShape> {
  const { rows } = await pool.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [escapeIdentifier(spec.table)],
  );
  if (rows.length === 0) throw new VerificationError(`table ${spec.table} does not exist in the target`, { context: { table: spec.table } });
  const byName = new Map(rows.map((r) => [r.name, r.type]));
  const types = spec.columns.map((c) => {
    const type = byName.get(c);
    if (type === undefined) throw new VerificationError(`table ${spec.table} has no column ${c}`, { context: { table: spec.table, column: c } });
    return type;
  });
  const keyIndexes = spec.conflictKey.map((k) => spec.columns.indexOf(k));
  if (keyIndexes.some((i) => i < 0)) throw new VerificationError(`the conflict key of ${spec.table} names a column the data set does not write`, { context: { table: spec.table } });
  return { spec, types, keyIndexes };
}

/** A transform's value as the text PostgreSQL parses (the form COPY sends, unescaped). */
export function valueText(value: PgValue): string | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  return value;
}

/** `ARRAY[t."a"::text, …]`: a row's columns as PostgreSQL prints them, NULL kept apart from ''. */
export function textArray(alias: string, columns: readonly string[]): string {
  return `ARRAY[${columns.map((c) => `${alias}.${escapeIdentifier(c)}::text`).join(', ')}]::text[]`;
}

/** A 60-bit integer from the md5 of a text[]: summed over rows, an order-independent digest. */
export function rowHash(arrayExpr: string): string {
  return `('x' || substr(md5((${arrayExpr})::text), 1, 15))::bit(60)::bigint`;
}
