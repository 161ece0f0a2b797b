/** Multi-row INSERT for record-level batches, split to stay under PostgreSQL's 65535 parameters. */
import { escapeIdentifier } from 'pg';
import type { PgValue, TableSpec } from '../datasets/types.js';
import type { PoolClient } from '../sink/postgres.js';

export type InsertMode = 'strict' | 'skip-existing';

const MAX_PARAMS = 65_000;

/** Inserts rows; returns how many were inserted (rows already present are skipped in skip-existing mode). */
export async function insertRows(client: PoolClient, spec: TableSpec, rows: PgValue[][], mode: InsertMode): Promise<number> {
  const cols = spec.columns.map(escapeIdentifier).join(', ');
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / spec.columns.length));
  const conflict = mode === 'skip-existing' ? ` ON CONFLICT (${spec.conflictKey.map(escapeIdentifier).join(', ')}) DO NOTHING` : '';
  let inserted = 0;
  for (let start = 0; start < rows.length; start += perStatement) {
    const slice = rows.slice(start, start + perStatement);
    const params: PgValue[] = [];
    const tuples = slice.map((row) => {
      const marks = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${marks.join(', ')})`;
    });
    const result = await client.query(`INSERT INTO ${escapeIdentifier(spec.table)} (${cols}) VALUES ${tuples.join(', ')}${conflict}`, params);
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}
