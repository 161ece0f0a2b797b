/**
 * After the load: every sequence behind a serial/identity column moved past the largest value
 * loaded, so the application's next insert does not collide (migration guides warn that copied
 * rows leave sequences at their start); and planner statistics for every table, so the
 * application's first queries (and a catch-up's range counts) are planned for the rows loaded,
 * not for empty tables, before autovacuum gets to them.
 */
import type { Logger } from '../log/logger.js';
import type { Pool } from '../sink/postgres.js';
import { dataTables } from './table-digests.js';

/** ANALYZE of every data table: a bounded sample of rows each (default_statistics_target), whatever the table's size. */
export async function analyzeTables(pool: Pool, logger: Logger): Promise<void> {
  const started = Date.now();
  const tables = await dataTables(pool);
  for (const table of tables) await pool.query(`ANALYZE ${table}`);
  logger.info('planner statistics gathered (ANALYZE)', { tables: tables.length, duration_seconds: (Date.now() - started) / 1000 });
}

/** Sets every sequence owned by a table column to that column's current maximum. */
export async function resetSequences(pool: Pool, logger: Logger): Promise<void> {
  const { rows } = await pool.query<{ seq: string; tbl: string; col: string }>(`
    SELECT format('%I.%I', sn.nspname, s.relname) AS seq, format('%I.%I', tn.nspname, t.relname) AS tbl, format('%I', a.attname) AS col
      FROM pg_class s
      JOIN pg_namespace sn ON sn.oid = s.relnamespace
      JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
      JOIN pg_class t ON t.oid = d.refobjid
      JOIN pg_namespace tn ON tn.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE s.relkind = 'S' AND tn.nspname NOT IN ('pg_catalog', 'information_schema')`);
  for (const r of rows) {
    // setval(seq, max, true) makes the next value max+1; an empty table restarts at the sequence's start.
    const { rows: out } = await pool.query<{ value: string | null }>(
      `SELECT CASE WHEN m IS NULL THEN NULL ELSE setval('${r.seq}', m, true) END AS value FROM (SELECT max(${r.col})::bigint AS m FROM ${r.tbl}) x`,
    );
    logger.debug('sequence set after load', { sequence: r.seq, value: out[0]?.value ?? null });
  }
}
