/**
 * After the bulk load: secondary indexes of the bulk tables (schema/post-load/*.sql, built once
 * instead of maintained row by row during COPY), then every sequence behind a serial/identity
 * column moved past the largest value loaded, so the application's next insert does not collide.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SinkError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Pool } from '../sink/postgres.js';

/** Statements of a post-load file: one per `;`-terminated line group, comments dropped. */
export function postLoadStatements(text: string): string[] {
  return text
    .split(/;\s*(?:\r?\n|$)/)
    .map((s) => s.split(/\r?\n/).filter((l) => !l.trim().startsWith('--')).join('\n').trim())
    .filter((s) => s !== '');
}

export async function buildPostLoadIndexes(pool: Pool, dir: string, logger: Logger): Promise<void> {
  if (!existsSync(dir)) return;
  const began = Date.now();
  let built = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    for (const sql of postLoadStatements(readFileSync(join(dir, file), 'utf8'))) {
      const started = Date.now();
      try {
        await pool.query(sql);
      } catch (err) {
        throw new SinkError('SINK_WRITE', `post-load statement from ${file} failed: ${errorMessage(err)}`, { cause: err, context: { statement: sql } });
      }
      logger.debug('post-load statement done', { file, statement: sql.slice(0, 200), duration_ms: Date.now() - started });
      built++;
    }
  }
  logger.info('post-load indexes built', { statements: built, duration_ms: Date.now() - began });
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
