/**
 * Secondary indexes, foreign keys and user triggers of the bulk tables are set aside before the
 * load and restored after it: building an index once is far cheaper than maintaining it row by
 * row during COPY, and the loader itself writes parents before children and fills the columns
 * the triggers would (docs/testkube-executions.md). What was set aside is recorded in
 * mongo2pg.deferred_objects in the same transaction as the drop, so a killed run loses nothing:
 * the next run restores it. Primary keys and unique constraints stay (resume relies on them).
 */
import { escapeIdentifier } from 'pg';
import { SinkError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { checkout, type Pool } from '../sink/postgres.js';
import { BTREE_KEY_COLUMNS_SQL } from './index-keys.js';

const TABLE = 'mongo2pg.deferred_objects';

type Kind = 'index' | 'foreign_key' | 'trigger';

interface Deferred {
  table_name: string;
  name: string;
  kind: Kind;
  definition: string;
  /** An index's columns, so the load can measure rows against it while it is set aside (index-keys.ts). */
  key_columns?: string[] | null;
}

export async function deferConstraints(pool: Pool, tables: readonly string[], logger: Logger): Promise<number> {
  const client = await checkout(pool);
  try {
    await client.query('BEGIN');
    await client.query('CREATE SCHEMA IF NOT EXISTS mongo2pg');
    await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (
      table_name text NOT NULL, name text NOT NULL, kind text NOT NULL, definition text NOT NULL,
      deferred_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (table_name, name, kind))`);
    await client.query(`ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS key_columns text[]`);
    const found: Deferred[] = [];
    for (const table of tables) {
      const keys = new Map((await client.query<{ name: string; columns: string[] }>(BTREE_KEY_COLUMNS_SQL, [table])).rows.map((r) => [r.name, r.columns]));
      const indexes = await client.query<Deferred>(
        `SELECT $1::text AS table_name, i.relname AS name, 'index' AS kind, pg_get_indexdef(i.oid) AS definition
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
          WHERE x.indrelid = to_regclass($1) AND NOT x.indisprimary
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`, [table]);
      const fks = await client.query<Deferred>(
        `SELECT $1::text AS table_name, conname AS name, 'foreign_key' AS kind, pg_get_constraintdef(oid) AS definition
           FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'f'`, [table]);
      const triggers = await client.query<Deferred>(
        `SELECT $1::text AS table_name, tgname AS name, 'trigger' AS kind, '' AS definition
           FROM pg_trigger WHERE tgrelid = to_regclass($1) AND NOT tgisinternal AND tgenabled <> 'D'`, [table]);
      for (const i of indexes.rows) i.key_columns = keys.get(i.name) ?? null;
      found.push(...fks.rows, ...indexes.rows, ...triggers.rows);
    }
    for (const d of found) {
      await client.query(`INSERT INTO ${TABLE} (table_name, name, kind, definition, key_columns) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [d.table_name, d.name, d.kind, d.definition, d.key_columns ?? null]);
      const t = escapeIdentifier(d.table_name);
      if (d.kind === 'foreign_key') await client.query(`ALTER TABLE ${t} DROP CONSTRAINT ${escapeIdentifier(d.name)}`);
      else if (d.kind === 'index') await client.query(`DROP INDEX ${escapeIdentifier(d.name)}`);
      else await client.query(`ALTER TABLE ${t} DISABLE TRIGGER ${escapeIdentifier(d.name)}`);
    }
    await client.query('COMMIT');
    if (found.length > 0) logger.info('secondary indexes, foreign keys and triggers of bulk tables set aside for the load', { objects: found.length });
    return found.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new SinkError('SINK_WRITE', `could not set aside indexes and constraints of the bulk tables: ${errorMessage(err)}`, { cause: err });
  } finally {
    client.release();
  }
}

/**
 * Rebuilds everything deferConstraints set aside (indexes first, then foreign keys, then triggers),
 * each in its own transaction. One that cannot be rebuilt does not stop the others: it stays
 * recorded (so a later run tries it again), and the run fails at the end naming every one of
 * them, instead of leaving the rest dropped (issue 13, D6).
 */
export async function restoreConstraints(pool: Pool, logger: Logger): Promise<number> {
  const exists = await pool.query(`SELECT to_regclass('${TABLE}') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return 0;
  const { rows } = await pool.query<Deferred>(`SELECT table_name, name, kind, definition FROM ${TABLE} ORDER BY CASE kind WHEN 'index' THEN 0 WHEN 'foreign_key' THEN 1 ELSE 2 END, table_name, name`);
  const began = Date.now();
  const failed: Array<{ object: Deferred; error: unknown }> = [];
  for (const d of rows) {
    const client = await checkout(pool);
    try {
      await client.query('BEGIN');
      const t = escapeIdentifier(d.table_name);
      if (d.kind === 'index') await client.query(d.definition);
      else if (d.kind === 'foreign_key') await client.query(`ALTER TABLE ${t} ADD CONSTRAINT ${escapeIdentifier(d.name)} ${d.definition}`);
      else await client.query(`ALTER TABLE ${t} ENABLE TRIGGER ${escapeIdentifier(d.name)}`);
      await client.query(`DELETE FROM ${TABLE} WHERE table_name = $1 AND name = $2 AND kind = $3`, [d.table_name, d.name, d.kind]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      failed.push({ object: d, error: err });
      logger.error('could not restore a set-aside index, foreign key or trigger; restoring the others', { table: d.table_name, name: d.name, kind: d.kind, definition: d.definition, error: errorMessage(err) });
    } finally {
      client.release();
    }
  }
  const restored = rows.length - failed.length;
  if (restored > 0) logger.info('indexes, foreign keys and triggers of bulk tables restored', { objects: restored, duration_ms: Date.now() - began });
  if (failed.length > 0) {
    const list = failed.map((f) => `${f.object.kind} ${f.object.name} on ${f.object.table_name}: ${errorMessage(f.error)}`).join('; ');
    throw new SinkError('SINK_WRITE', `could not restore ${failed.length} of ${rows.length} set-aside objects (the other ${restored} are restored; these stay recorded in ${TABLE} and a later run tries them again): ${list}`, {
      cause: failed[0]?.error,
      context: { objects: failed.map((f) => ({ table: f.object.table_name, name: f.object.name, kind: f.object.kind, definition: f.object.definition })) },
    });
  }
  return rows.length;
}
