/**
 * Catch-up never deletes or overwrites a row mongo2pg did not write (issue 17). What mongo2pg
 * wrote is known by table digest (app/run/table-digests.ts): recorded when the pre-copy `migrate`
 * ran to the end and after every data set a catch-up brought level. At the start of a catch-up
 * every table's digest must still be the recorded one; a table that differs has rows written by
 * someone else — the application already running on PostgreSQL — and the catch-up refuses
 * before it writes anything (exit 3).
 *
 * A table holding the recorded count and no row version since the digest's horizon is known to
 * be unchanged from its row headers alone (unchangedSince); only other tables are digested again.
 *
 * A catch-up marks a table dirty (committed) before it writes to it and records its digest again
 * when done. A table left dirty by a killed catch-up cannot be checked (said in a log line); the
 * re-run brings it level from the source just the same, so the run converges.
 */
import { PreflightError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { DigestDelta } from './types.js';
import { readMigrationStatus, type MigrationStatus, type Queryable } from '../run/migration-status.js';
import { DIGESTS_TABLE, HORIZON_SQL, currentDigest, type TableDigest, dataTables, markDirty, readDigests, recordWritten, unchangedSince } from '../run/table-digests.js';

/** One row: when a catch-up last ran to the end (the cutover is done). */
export const CATCH_UP_TABLE = 'mongo2pg.catch_up_status';

export async function recordCatchUpFinished(db: Queryable): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${CATCH_UP_TABLE} (id integer PRIMARY KEY CHECK (id = 1), finished_at timestamptz NOT NULL, runs integer NOT NULL DEFAULT 1)`);
  await db.query(`INSERT INTO ${CATCH_UP_TABLE} (id, finished_at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET finished_at = now(), runs = ${CATCH_UP_TABLE}.runs + 1`);
}

async function catchUpFinishedAt(db: Queryable): Promise<Date | null> {
  const { rows: present } = await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [CATCH_UP_TABLE]);
  if (!present[0]?.ok) return null;
  const { rows } = await db.query<{ finished_at: Date }>(`SELECT finished_at FROM ${CATCH_UP_TABLE} WHERE id = 1`);
  return rows[0]?.finished_at ?? null;
}

export interface OwnershipCheck {
  /** migration_status.runs of the pre-copy: recorded with every digest. */
  run: number;
  status: MigrationStatus;
  /** Tables checked and found as mongo2pg left them. */
  checked: number;
  /** Of those, tables proved unchanged by their row headers alone (unchangedSince); the others were digested. */
  byHeaders: number;
  /** Tables digested and found as recorded, with the horizon of that read: recording it lets the next check use the headers. */
  digested: TableDigest[];
  /** Tables a killed catch-up left dirty: not checkable, brought level again. */
  dirty: string[];
  /**
   * Set when a catch-up already ran to the end and the application has written since: the
   * cutover is done, nothing may be written (the Helm hook left on: issue 14's rule).
   */
  alreadyCaughtUp?: { finishedAt: Date; changed: string[] };
}

/**
 * Refuses (PreflightError, exit 3) unless the target holds a pre-copy that went to the end and
 * every table is as mongo2pg left it. Reads only.
 */
export async function checkOwnership(db: Queryable, logger: Logger): Promise<OwnershipCheck> {
  const status = await readMigrationStatus(db);
  if (!status) {
    throw new PreflightError('catch-up', 'catch-up needs a pre-copy in the target, and it holds none (no mongo2pg.migration_status): run `mongo2pg migrate` while the application still runs on MongoDB first; nothing was changed');
  }
  const recorded = await readDigests(db);
  const fromRun = [...recorded.values()].filter((d) => d.run === status.runs);
  if (status.status === 'finished' && fromRun.length === 0) {
    // A migration finished by a build that recorded no digests (or they were removed): what it
    // wrote cannot be told from what the application wrote since, and `migrate` will not run again.
    throw new PreflightError('catch-up', 'the target holds a finished migration but no record of what it wrote (mongo2pg.table_digests), so rows written since by the application could not be told apart: pre-copy again into an empty database with this version, then catch-up; nothing was changed', { context: { status: status.status } });
  }
  // `failed` with digests of the same run: the pre-copy went to the end, some records failed (reported).
  if (status.status === 'running' || status.status === 'interrupted' || fromRun.length === 0 || fromRun.length !== recorded.size) {
    throw new PreflightError('catch-up', `the pre-copy in the target did not run to the end (migration status "${status.status}"${recorded.size === 0 ? ', no table digests recorded' : ''}): run \`mongo2pg migrate\` again until it completes, then catch-up; nothing was changed`, { context: { status: status.status } });
  }
  const tables = await dataTables(db);
  const dirty: string[] = [];
  const changed: string[] = [];
  let checked = 0;
  let byHeaders = 0;
  const digested: TableDigest[] = [];
  for (const table of tables) {
    const r = recorded.get(table);
    if (!r) {
      // A table nobody recorded: a schema the pre-copy did not create. Rows in it are not ours.
      if ((await currentDigest(db, table)).rows > 0) changed.push(`${table} (not written by the pre-copy, holds rows)`);
      continue;
    }
    if (r.dirty) {
      dirty.push(table);
      continue;
    }
    checked++;
    // No row version since the digest's horizon and the same count: as digested, without reading a value.
    const headers = r.horizon === null ? null : await unchangedSince(db, table, r.rows, r.horizon);
    if (headers?.unchanged) {
      byHeaders++;
      continue;
    }
    if (r.digest === null) {
      // Recorded by headers alone (no writer of this database was running then): any new row version is someone else's.
      changed.push(`${table} (${r.rows} rows recorded at ${r.recordedAt.toISOString()}, ${headers?.rows ?? '?'} now, rows written since)`);
      continue;
    }
    const now = await currentDigest(db, table);
    if (now.rows === r.rows && now.digest === r.digest) digested.push(now);
    else changed.push(`${table} (${r.rows} rows recorded at ${r.recordedAt.toISOString()}, ${now.rows} now${now.rows === r.rows ? ', contents differ' : ''})`);
  }
  if (changed.length > 0) {
    const finishedAt = await catchUpFinishedAt(db);
    if (finishedAt) return { run: status.runs, status, checked, byHeaders, digested, dirty, alreadyCaughtUp: { finishedAt, changed } };
    throw new PreflightError('catch-up', `the target has rows mongo2pg did not write, in ${changed.join('; ')}: the application seems to already run on PostgreSQL, and catch-up would overwrite or delete its writes; nothing was changed`, { context: { tables: changed.length } });
  }
  if (dirty.length > 0) {
    logger.warn('tables left mid-write by an earlier catch-up cannot be checked for writes by others; they are brought level with the source again', { tables: dirty });
  }
  logger.info('target checked: every table is as mongo2pg left it', { checked, by_row_headers: byHeaders, by_digest: checked - byHeaders, dirty: dirty.length, pre_copy_run: status.runs });
  return { run: status.runs, status, checked, byHeaders, digested, dirty };
}

/** Tables a trigger function writes, read from its source: `UPDATE t`, `INSERT INTO t`, `DELETE FROM t`. */
export function tablesWrittenBy(source: string): string[] {
  const out = new Set<string>();
  const re = /\b(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+(?:ONLY\s+)?((?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?)/gi;
  for (const m of source.matchAll(re)) {
    const last = (m[1] as string).split(/\s*\.\s*/).pop() as string;
    out.add(last.startsWith('"') ? last.slice(1, -1).replaceAll('""', '"') : last.toLowerCase());
  }
  return [...out];
}

/**
 * Tables whose rows a write to `tables` can change, including `tables` themselves: through
 * ON DELETE CASCADE / ON UPDATE CASCADE foreign keys and through the tables' triggers (Testkube's
 * schema keeps test_workflow_executions' status and workflow name in step with
 * test_workflow_results and test_workflows by trigger), transitively. All of them are marked
 * dirty before the write and have their digest recorded after it.
 */
export async function writeReach(db: Queryable, tables: readonly string[]): Promise<string[]> {
  let graph = graphs.get(db);
  if (!graph) {
    graph = writeGraph(db);
    graphs.set(db, graph);
    graph.catch(() => graphs.delete(db));
  }
  const { edges, known } = await graph;
  const out = new Set(tables);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [from, to] of edges) {
      if (out.has(from) && !out.has(to) && known.has(to)) {
        out.add(to);
        grew = true;
      }
    }
  }
  return [...out];
}

/** The catalog's write edges, read once per connection pool (one run): the schema does not change during a run. */
const graphs = new WeakMap<object, Promise<{ edges: Array<[string, string]>; known: Set<string> }>>();

async function writeGraph(db: Queryable): Promise<{ edges: Array<[string, string]>; known: Set<string> }> {
  const { rows: fks } = await db.query<{ parent: string; child: string }>(
    `SELECT p.relname AS parent, c.relname AS child
       FROM pg_constraint k JOIN pg_class p ON p.oid = k.confrelid JOIN pg_class c ON c.oid = k.conrelid
      WHERE k.contype = 'f' AND (k.confdeltype IN ('c', 'n', 'd') OR k.confupdtype IN ('c', 'n', 'd'))`,
  );
  const { rows: triggers } = await db.query<{ tbl: string; src: string }>(
    `SELECT c.relname AS tbl, p.prosrc AS src FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal`,
  );
  const edges: Array<[string, string]> = fks.map((r) => [r.parent, r.child]);
  for (const t of triggers) for (const target of tablesWrittenBy(t.src)) edges.push([t.tbl, target]);
  return { edges, known: new Set(await dataTables(db)) };
}

/** Marks tables dirty before writing them (a no-op in a dry run, which writes nothing). */
export async function beginWrites(db: Queryable, tables: readonly string[], dryRun: boolean): Promise<void> {
  if (dryRun) return;
  await markDirty(db, tables);
}

/**
 * Records the tables' digests again (clean) once written. When nothing was written (`changed`
 * false) the recorded digests still hold and are only marked clean: no table is read again.
 * With `delta` (what the writes changed, when they were the only writes to the only table
 * written, and its recorded digest was exact before them) the new digest is the recorded one plus
 * the delta: no table read either. Otherwise the tables are recorded by recordWritten (row count
 * and horizon, or their digest read when a writer is running in this database), or, with `defer`, left
 * dirty and added to it for the caller to record later. Returns how the digests were recorded.
 */
export async function endWrites(db: Queryable, tables: readonly string[], run: number, dryRun: boolean, changed = true, delta?: DigestDelta, defer?: Set<string>): Promise<'none' | 'cleared' | 'derived' | 'headers' | 'read' | 'deferred'> {
  if (dryRun || tables.length === 0) return 'none';
  if (!changed) {
    await db.query(`UPDATE ${DIGESTS_TABLE} SET dirty = false WHERE table_name = ANY($1::text[])`, [tables]);
    return 'cleared';
  }
  if (delta && tables.length === 1 && tables[0] === delta.table) {
    const { rows } = await db.query(
      `UPDATE ${DIGESTS_TABLE} SET rows = rows + $2::bigint, digest = digest + $3::numeric, horizon = ${HORIZON_SQL}, recorded_at = clock_timestamp(), dirty = false, run = $4 WHERE table_name = $1 RETURNING table_name`,
      [delta.table, delta.rows.toString(), delta.sum.toString(), run],
    );
    if (rows.length === 1) return 'derived';
  }
  if (defer) {
    // Recorded when the data sets running side by side are done (their transactions would make the server look busy).
    for (const t of tables) defer.add(t);
    return 'deferred';
  }
  const recorded = await recordWritten(db, tables, run);
  return recorded.read === 0 ? 'headers' : 'read';
}

