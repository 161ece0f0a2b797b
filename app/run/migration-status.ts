/**
 * The tool's record of the migration in a target: one row in mongo2pg.migration_status, written
 * once the pre-flight gate has passed and before anything else, and updated when a run ends. It
 * is how a re-run with the same settings recognises the tool's own unfinished migration and
 * resumes it without extra flags (issue 13, D5), while rows nobody recorded (foreign data, or an
 * older tool's leftovers) still refuse the run.
 */
export const STATUS_TABLE = 'mongo2pg.migration_status';

export type MigrationState = 'running' | 'interrupted' | 'failed' | 'finished';

export interface MigrationStatus {
  status: MigrationState;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** Runs of this migration so far: 1 for the first, +1 for each resume. */
  runs: number;
}

/** The part of a pg Pool or client used here. */
export interface Queryable {
  query<R extends Record<string, unknown>>(sql: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** The recorded migration, or null when the target has none (no table, or no row). Reads only. */
export async function readMigrationStatus(db: Queryable): Promise<MigrationStatus | null> {
  const { rows: present } = await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [STATUS_TABLE]);
  if (!present[0]?.ok) return null;
  const { rows } = await db.query<{ status: MigrationState; started_at: Date; updated_at: Date; finished_at: Date | null; runs: number }>(
    `SELECT status, started_at, updated_at, finished_at, runs FROM ${STATUS_TABLE} WHERE id = 1`,
  );
  const r = rows[0];
  return r ? { status: r.status, startedAt: r.started_at, updatedAt: r.updated_at, finishedAt: r.finished_at, runs: r.runs } : null;
}

/** A run starts (or resumes) the migration: status `running`, runs + 1. */
export async function markRunStarted(db: Queryable): Promise<MigrationStatus> {
  await db.query('CREATE SCHEMA IF NOT EXISTS mongo2pg');
  await db.query(`CREATE TABLE IF NOT EXISTS ${STATUS_TABLE} (
    id          integer PRIMARY KEY CHECK (id = 1),
    status      text NOT NULL CHECK (status IN ('running', 'interrupted', 'failed', 'finished')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    runs        integer NOT NULL DEFAULT 1
  )`);
  await db.query(
    `INSERT INTO ${STATUS_TABLE} (id, status) VALUES (1, 'running')
     ON CONFLICT (id) DO UPDATE SET status = 'running', updated_at = now(), finished_at = NULL, runs = ${STATUS_TABLE}.runs + 1`,
  );
  return (await readMigrationStatus(db)) as MigrationStatus;
}

/** How the run ended. `finished` only after a run that succeeded end to end (verification included). */
export async function markRunEnded(db: Queryable, status: Exclude<MigrationState, 'running'>): Promise<void> {
  await db.query(`UPDATE ${STATUS_TABLE} SET status = $1, updated_at = now(), finished_at = CASE WHEN $1 = 'finished' THEN now() ELSE NULL END WHERE id = 1`, [status]);
}
