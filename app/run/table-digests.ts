/**
 * What the target held when mongo2pg last wrote it (issue 17): per data table, its row count and
 * an order-independent digest of its rows, in mongo2pg.table_digests. `migrate` records them when
 * it has run to the end (the pre-copy), `catch-up` after each data set it brought level. A later
 * catch-up compares them with the tables as they are: a difference means someone else (the
 * application, already running on PostgreSQL) wrote rows, and catch-up must not overwrite them.
 *
 * Row ids (xmin) cannot prove who wrote a row (rows inserted after a SAVEPOINT carry
 * subtransaction ids); a digest of the content can. They can prove that nobody wrote a table:
 * with each digest is recorded its horizon, the oldest transaction still running in this database
 * when it was read (HORIZON_SQL). A transaction that had not committed then, and its
 * subtransactions (numbered after it), leave row versions numbered at or above the horizon; rows
 * committed before it are numbered below it, or at or above it when a transaction older than
 * them was still running. So a table with the recorded row count and no row version numbered at
 * or above the horizon holds exactly what was digested (an update or delete-and-insert leaves a
 * new version, a delete alone changes the count), and is checked by a scan of row headers
 * (unchangedSince) instead of a digest of every value; any other table is digested.
 */
import { escapeIdentifier } from 'pg';
import { GOOSE_TABLE } from '../schema-migrations/migrator.js';
import type { Queryable } from './migration-status.js';

export const DIGESTS_TABLE = 'mongo2pg.table_digests';

/**
 * The current statement's horizon (bigint), SQL: the oldest transaction its snapshot lists as
 * running that may be this database's, else the snapshot's xmax. A running transaction found, in
 * pg_stat_activity, to belong to another database cannot write these tables and is passed over;
 * one that cannot be placed (finished since, prepared, a session whose details the role may not
 * see) counts as this database's.
 */
export const HORIZON_SQL = `coalesce((
  SELECT min(x.xid::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x(xid)
   WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                      WHERE a.backend_xid::text::bigint = x.xid::text::bigint % 4294967296
                        AND a.datname IS NOT NULL AND a.datname <> current_database())),
  pg_snapshot_xmax(pg_current_snapshot())::text::bigint)`;

export interface TableDigest {
  table: string;
  rows: number;
  digest: string;
  /** The digest's horizon (64-bit transaction id, as text): see the module's comment. */
  horizon: string;
}

export interface RecordedDigest extends Omit<TableDigest, 'horizon' | 'digest'> {
  /** null when a catch-up recorded the row count and horizon alone (recordWritten). */
  digest: string | null;
  /** null for digests recorded by a build that recorded none. */
  horizon: string | null;
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
  await db.query(`ALTER TABLE ${DIGESTS_TABLE} ADD COLUMN IF NOT EXISTS horizon bigint`);
  await db.query(`ALTER TABLE ${DIGESTS_TABLE} ALTER COLUMN digest DROP NOT NULL`);
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

const quoted = (table: string): string => (table.startsWith('"') ? table : escapeIdentifier(table));

/** Row count, digest and horizon of one table, as it is now (one sequential read of the table). */
export async function currentDigest(db: Queryable, table: string): Promise<TableDigest> {
  const { rows } = await db.query<{ n: string; digest: string; horizon: string }>(
    `SELECT count(*)::text AS n, coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text AS digest, ${HORIZON_SQL}::text AS horizon FROM ${quoted(table)} t`,
  );
  return { table, rows: Number(rows[0]?.n ?? 0), digest: rows[0]?.digest ?? '0', horizon: rows[0]?.horizon ?? '0' };
}

/**
 * Whether a table is as digested: it holds `rows` rows and no row version numbered at or above
 * the digest's `horizon` (compared as the server compares 32-bit transaction ids, modulo 2^32).
 * One scan of the row headers: no value is read. False says only that the digest must decide.
 */
export async function unchangedSince(db: Queryable, table: string, rows: number, horizon: string): Promise<{ unchanged: boolean; rows: number }> {
  const { rows: r } = await db.query<{ n: string; newer: string }>(
    `SELECT count(*)::text AS n, count(*) FILTER (WHERE (xmin::text::bigint - $1::bigint + 4294967296) % 4294967296 < 2147483648)::text AS newer FROM ${quoted(table)}`,
    [(BigInt(horizon) % 4294967296n).toString()],
  );
  const now = Number(r[0]?.n ?? 0);
  return { unchanged: now === rows && r[0]?.newer === '0', rows: now };
}

/** The recorded digests, by table; empty when none were recorded. */
export async function readDigests(db: Queryable): Promise<Map<string, RecordedDigest>> {
  const { rows: present } = await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [DIGESTS_TABLE]);
  if (!present[0]?.ok) return new Map();
  // horizon: null when an earlier build recorded the digests (no such column).
  const { rows } = await db.query<{ table_name: string; rows: string; digest: string | null; horizon: string | null; recorded_at: Date; dirty: boolean; run: number }>(
    `SELECT table_name, rows::text, digest::text, to_jsonb(d) ->> 'horizon' AS horizon, recorded_at, dirty, run FROM ${DIGESTS_TABLE} d ORDER BY table_name`,
  );
  return new Map(rows.map((r) => [r.table_name, { table: r.table_name, rows: Number(r.rows), digest: r.digest, horizon: r.horizon, recordedAt: r.recorded_at, dirty: r.dirty, run: r.run }]));
}

async function record(db: Queryable, run: number, d: Omit<TableDigest, 'digest'> & { digest: string | null }): Promise<void> {
  await db.query(
    `INSERT INTO ${DIGESTS_TABLE} (table_name, rows, digest, horizon, recorded_at, dirty, run) VALUES ($1, $2, $3::numeric, $5::bigint, clock_timestamp(), false, $4)
     ON CONFLICT (table_name) DO UPDATE SET rows = EXCLUDED.rows, digest = EXCLUDED.digest, horizon = EXCLUDED.horizon, recorded_at = EXCLUDED.recorded_at, dirty = false, run = EXCLUDED.run`,
    [d.table, d.rows, d.digest, run, d.horizon],
  );
}

/**
 * Records each table a catch-up wrote (clean). When no transaction of this database is running
 * (the horizon is the snapshot's xmax), every row version the table holds is numbered below the snapshot's xmax and every
 * later writer of the table gets a number at or above it: its row count and that horizon are
 * enough for the next check to prove it unchanged from its row headers; no value is read, no
 * digest is recorded (NULL). Otherwise (a writer is running in this database) its digest is read,
 * as at the end of the pre-copy. The caller has made sure of the table's columns
 * (ensureDigestsTable, once per run).
 */
export async function recordWritten(db: Queryable, tables: readonly string[], run: number): Promise<{ headers: number; read: number }> {
  const done = { headers: 0, read: 0 };
  for (const table of tables) {
    const { rows } = await db.query<{ n: string; horizon: string; quiet: boolean }>(
      `SELECT (SELECT count(*) FROM ${quoted(table)})::text AS n, h::text AS horizon, h = pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS quiet FROM (SELECT ${HORIZON_SQL} AS h) horizon`,
    );
    const now = rows[0];
    if (now?.quiet) {
      await record(db, run, { table, rows: Number(now.n), digest: null, horizon: now.horizon });
      done.headers++;
    } else {
      await record(db, run, await currentDigest(db, table));
      done.read++;
    }
  }
  return done;
}

/** Records the digests of every data table at the end of a `migrate` run that went to the end. */
export async function recordAllDigests(db: Queryable, run: number): Promise<TableDigest[]> {
  const tables = await dataTables(db);
  await ensureDigestsTable(db);
  // Tables that no longer exist leave the record (a schema migration dropped them).
  await db.query(`DELETE FROM ${DIGESTS_TABLE} WHERE NOT (table_name = ANY($1::text[]))`, [tables]);
  const out: TableDigest[] = [];
  for (const table of tables) {
    const d = await currentDigest(db, table);
    await record(db, run, d);
    out.push(d);
  }
  return out;
}

/** Records a newer horizon for tables just digested and found as recorded (their digests stand). */
export async function recordHorizons(db: Queryable, digests: readonly TableDigest[]): Promise<void> {
  if (digests.length === 0) return;
  await db.query(
    `UPDATE ${DIGESTS_TABLE} d SET horizon = h.horizon FROM unnest($1::text[], $2::bigint[]) AS h(table_name, horizon) WHERE d.table_name = h.table_name AND NOT d.dirty`,
    [digests.map((d) => d.table), digests.map((d) => d.horizon)],
  );
}

/** Marks tables as being written (committed before the writes): their digest cannot be checked until recorded again. */
export async function markDirty(db: Queryable, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  await db.query(`UPDATE ${DIGESTS_TABLE} SET dirty = true WHERE table_name = ANY($1::text[])`, [tables]);
}
