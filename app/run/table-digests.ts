/**
 * What the target held when mongo2pg last wrote it (issue 17): per data table, its row count and
 * an order-independent digest of its rows, in mongo2pg.table_digests. `migrate` records them when
 * it has run to the end (the pre-copy), `catch-up` after each data set it brought level. A later
 * catch-up compares them with the tables as they are: a difference means someone else (the
 * application, already running on PostgreSQL) wrote rows, and catch-up must not overwrite them.
 *
 * Row ids (xmin) cannot prove who wrote a row: rows inserted after a SAVEPOINT carry
 * subtransaction ids; a digest of the content can.
 */
import { escapeIdentifier } from 'pg';
import { GOOSE_TABLE } from '../schema-migrations/migrator.js';
import type { Queryable } from './migration-status.js';

export const DIGESTS_TABLE = 'mongo2pg.table_digests';

export interface TableDigest {
  table: string;
  rows: number;
  digest: string;
}

export interface RecordedDigest extends TableDigest {
  recordedAt: Date;
  /** A catch-up started writing the table and did not record its digest again (killed, failed). */
  dirty: boolean;
  /** mongo2pg.migration_status.runs of the `migrate` run whose end recorded the digests. */
  run: number;
}

export async function ensureDigestsTable(db: Queryable): Promise<void> {
  await db.query('CREATE SCHEMA IF NOT EXISTS mongo2pg');
  await db.query(`CREATE TABLE IF NOT EXISTS ${DIGESTS_TABLE} (
    table_name  text PRIMARY KEY,
    rows        bigint NOT NULL,
    digest      numeric NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    dirty       boolean NOT NULL DEFAULT false,
    run         integer NOT NULL
  )`);
}

/**
 * Every table that holds the application's data: the ordinary tables of the schemas on the
 * search path's schema `public`, without Goose's version table (the schema's, not data). Named
 * as `to_regclass` reads them (`schema.table` quoted as needed).
 */
export async function dataTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT format('%I', c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND c.relname <> $1 AND NOT c.relispartition
      ORDER BY c.relname`,
    [GOOSE_TABLE],
  );
  return rows.map((r) => r.name);
}

/** Row count and digest of one table, as it is now (one sequential read of the table). */
export async function currentDigest(db: Queryable, table: string): Promise<TableDigest> {
  const quoted = table.startsWith('"') ? table : escapeIdentifier(table);
  const { rows } = await db.query<{ n: string; digest: string }>(
    `SELECT count(*)::text AS n, coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text AS digest FROM ${quoted} t`,
  );
  return { table, rows: Number(rows[0]?.n ?? 0), digest: rows[0]?.digest ?? '0' };
}

/** The recorded digests, by table; empty when none were recorded. */
export async function readDigests(db: Queryable): Promise<Map<string, RecordedDigest>> {
  const { rows: present } = await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [DIGESTS_TABLE]);
  if (!present[0]?.ok) return new Map();
  const { rows } = await db.query<{ table_name: string; rows: string; digest: string; recorded_at: Date; dirty: boolean; run: number }>(
    `SELECT table_name, rows::text, digest::text, recorded_at, dirty, run FROM ${DIGESTS_TABLE} ORDER BY table_name`,
  );
  return new Map(rows.map((r) => [r.table_name, { table: r.table_name, rows: Number(r.rows), digest: r.digest, recordedAt: r.recorded_at, dirty: r.dirty, run: r.run }]));
}

/** Records the current digest of each table (clean), replacing what was recorded. */
export async function recordDigests(db: Queryable, tables: readonly string[], run: number): Promise<TableDigest[]> {
  await ensureDigestsTable(db);
  const out: TableDigest[] = [];
  for (const table of tables) {
    const d = await currentDigest(db, table);
    await db.query(
      `INSERT INTO ${DIGESTS_TABLE} (table_name, rows, digest, recorded_at, dirty, run) VALUES ($1, $2, $3::numeric, clock_timestamp(), false, $4)
       ON CONFLICT (table_name) DO UPDATE SET rows = EXCLUDED.rows, digest = EXCLUDED.digest, recorded_at = EXCLUDED.recorded_at, dirty = false, run = EXCLUDED.run`,
      [table, d.rows, d.digest, run],
    );
    out.push(d);
  }
  return out;
}

/** Records the digests of every data table at the end of a `migrate` run that went to the end. */
export async function recordAllDigests(db: Queryable, run: number): Promise<TableDigest[]> {
  const tables = await dataTables(db);
  await ensureDigestsTable(db);
  // Tables that no longer exist leave the record (a schema migration dropped them).
  await db.query(`DELETE FROM ${DIGESTS_TABLE} WHERE NOT (table_name = ANY($1::text[]))`, [tables]);
  return recordDigests(db, tables, run);
}

/** Marks tables as being written (committed before the writes): their digest cannot be checked until recorded again. */
export async function markDirty(db: Queryable, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  await db.query(`UPDATE ${DIGESTS_TABLE} SET dirty = true WHERE table_name = ANY($1::text[])`, [tables]);
}
