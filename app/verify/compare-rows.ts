/**
 * Compares rows a transform produces with the rows in a table, matched by the table's conflict
 * key. Both sides are printed by PostgreSQL: the expected text is cast to the column's type and
 * printed again, the stored value is printed as is, so `2025-01-01T00:00:00.000Z` equals a
 * timestamptz, `{"b":1, "a":2}` equals the jsonb it became, and '1.50' still differs from 1.5.
 * One query per batch (unnest of one text[] per column, joined on the key index).
 */
import { escapeIdentifier } from 'pg';
import type { PgValue } from '../datasets/types.js';
import { errorMessage } from '../errors.js';
import type { Pool } from '../sink/postgres.js';
import { rowHash, textArray, valueText, type TableShape } from './table-shape.js';

type Queryable = Pick<Pool, 'query'>;

export interface RowComparison {
  found: boolean;
  /** Canonical text of the key (`{abc}`), from the expected side. */
  key: string | null;
  /** md5-derived 60-bit hash of the expected row's compared columns (decimal text). */
  hash: string | null;
  /** Indexes of compared columns that differ (only when found). */
  different: number[];
  /** Both rows' texts, present when a column differs. */
  expectedTexts?: Array<string | null>;
  actualTexts?: Array<string | null>;
  /** Stored text of the non-reproducible columns (by index), when found. */
  uncompared?: Map<number, string | null>;
  /** PostgreSQL refused to read the expected value (the transform's text does not parse as the column's type). */
  refused?: string;
}

/** Data exceptions (class 22): the transform's text does not fit the column type. */
function isCastError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22');
}

function buildQuery(shape: TableShape, skip: ReadonlySet<number>): string {
  const { spec, types, keyIndexes } = shape;
  const cols = spec.columns;
  const alias = (i: number): string => `c${i}`;
  const casts = cols.map((_, i) => `u.${alias(i)}::${types[i]} AS ${alias(i)}`).join(', ');
  const params = cols.map((_, i) => `$${i + 1}::text[]`).join(', ');
  const compared = cols.map((_, i) => i).filter((i) => !skip.has(i));
  const eArr = (idx: number[]): string => `ARRAY[${idx.map((i) => `e.${alias(i)}::text`).join(', ')}]::text[]`;
  const tArr = (idx: number[]): string => textArray('t', idx.map((i) => cols[i] as string));
  const all = cols.map((_, i) => i);
  const differs = compared.length > 0 ? `(t.ctid IS NOT NULL AND ${eArr(compared)} IS DISTINCT FROM ${tArr(compared)})` : 'false';
  const join = keyIndexes.map((i) => `t.${escapeIdentifier(cols[i] as string)} = e.${alias(i)}`).join(' AND ');
  const uncompared = [...skip];
  return `WITH e AS (
      SELECT u.ord, ${casts}
        FROM unnest(${params}) WITH ORDINALITY AS u(${cols.map((_, i) => alias(i)).join(', ')}, ord)
    )
    SELECT e.ord::int AS ord,
           t.ctid IS NOT NULL AS found,
           ${eArr(keyIndexes)}::text AS key,
           ${compared.length > 0 ? rowHash(eArr(compared)) : '0'}::text AS hash,
           CASE WHEN ${differs} THEN ${eArr(all)} END AS exp,
           CASE WHEN ${differs} THEN ${tArr(all)} END AS act
           ${uncompared.length > 0 ? `, CASE WHEN t.ctid IS NOT NULL THEN ${tArr(uncompared)} END AS unc` : ''}
      FROM e LEFT JOIN ${escapeIdentifier(spec.table)} t ON ${join}
     ORDER BY e.ord`;
}

interface ResultRow {
  ord: number;
  found: boolean;
  key: string | null;
  hash: string | null;
  exp: Array<string | null> | null;
  act: Array<string | null> | null;
  unc?: Array<string | null> | null;
}

async function runBatch(pool: Queryable, shape: TableShape, rows: readonly PgValue[][], skip: ReadonlySet<number>, sql: string): Promise<RowComparison[]> {
  const n = shape.spec.columns.length;
  const params: Array<Array<string | null>> = Array.from({ length: n }, () => []);
  for (const row of rows) for (let i = 0; i < n; i++) (params[i] as Array<string | null>).push(valueText(row[i] ?? null));
  const { rows: out } = await pool.query<ResultRow>(sql, params);
  const results: Array<RowComparison | undefined> = new Array(rows.length);
  const uncompared = [...skip];
  for (const r of out) {
    // A key that is not unique gives several rows: the first decides, and a duplicate is a difference anyway.
    if (results[r.ord - 1] !== undefined) continue;
    const different: number[] = [];
    if (r.exp && r.act) {
      for (let i = 0; i < n; i++) if (!skip.has(i) && r.exp[i] !== r.act[i]) different.push(i);
    }
    results[r.ord - 1] = {
      found: r.found,
      key: r.key,
      hash: r.hash,
      different,
      ...(r.exp && r.act ? { expectedTexts: r.exp, actualTexts: r.act } : {}),
      ...(r.unc ? { uncompared: new Map(uncompared.map((c, j) => [c, (r.unc as Array<string | null>)[j] ?? null])) } : {}),
    };
  }
  return results.map((r) => r ?? { found: false, key: null, hash: null, different: [] });
}

/**
 * Compares each expected row with the stored row of the same key. Columns in `skip` are not
 * compared (non-reproducible); their stored text is returned instead.
 */
export async function compareRows(pool: Queryable, shape: TableShape, rows: readonly PgValue[][], skip: ReadonlySet<number> = new Set()): Promise<RowComparison[]> {
  if (rows.length === 0) return [];
  const sql = buildQuery(shape, skip);
  try {
    return await runBatch(pool, shape, rows, skip, sql);
  } catch (err) {
    if (!isCastError(err)) throw err;
  }
  // One row does not parse: find it (and any other) row by row.
  const out: RowComparison[] = [];
  for (const row of rows) {
    try {
      out.push(...(await runBatch(pool, shape, [row], skip, sql)));
    } catch (err) {
      if (!isCastError(err)) throw err;
      out.push({ found: false, key: null, hash: null, different: [], refused: errorMessage(err) });
    }
  }
  return out;
}

/** Row count and order-independent digest of a whole table over the given columns. */
export async function tableDigest(pool: Queryable, table: string, columns: readonly string[]): Promise<{ rows: number; digest: string }> {
  const { rows } = await pool.query<{ n: string; digest: string }>(
    `SELECT count(*)::text AS n, coalesce(sum(${rowHash(textArray('t', columns))}::numeric), 0)::text AS digest FROM ${escapeIdentifier(table)} t`,
  );
  return { rows: Number(rows[0]?.n ?? 0), digest: rows[0]?.digest ?? '0' };
}

/** Row count of a table. */
export async function tableCount(pool: Queryable, table: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${escapeIdentifier(table)}`);
  return Number(rows[0]?.n ?? 0);
}

/** Keys of a table's rows (canonical text, as compareRows reports them), read through a cursor. */
export async function* tableKeys(client: Queryable, table: string, keyColumns: readonly string[], pageSize = 10_000): AsyncGenerator<string> {
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`DECLARE verify_keys NO SCROLL CURSOR FOR SELECT ${textArray('t', keyColumns)}::text AS key FROM ${escapeIdentifier(table)} t`);
    for (;;) {
      const { rows } = await client.query<{ key: string }>(`FETCH ${pageSize} FROM verify_keys`);
      for (const r of rows) yield r.key;
      if (rows.length < pageSize) break;
    }
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}
