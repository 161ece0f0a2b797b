/**
 * The target must be empty: no table the migration writes may hold a row, unless the run is
 * resuming (the tool's own unfinished migration, or CONVERT_SKIP_EXISTING) or writes nothing
 * (CONVERT_DRY_RUN); then what exists is reported. Reads only; row counts are capped so a huge table costs no more than a small one.
 */
import type { Config } from '../config/load.js';
import { STATUS_TABLE, readMigrationStatus, type MigrationStatus } from '../run/migration-status.js';
import { fail, pass, warn, type CheckResult } from './result.js';
import { displayTableName } from './written-tables.js';

export interface Queryable {
  query<R extends Record<string, unknown>>(sql: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** Counting stops here; the report then says "more than". */
export const ROW_COUNT_CAP = 1000;

export interface TableRows {
  table: string;
  /** Rows, up to ROW_COUNT_CAP + 1 (meaning "more than the cap"); null when the user may not read the table. */
  rows: number | null;
}

/** Existing tables among `tables` (canonical quoted names) that have at least one row. */
export async function nonEmptyTables(db: Queryable, tables: readonly string[]): Promise<TableRows[]> {
  if (tables.length === 0) return [];
  const { rows: present } = await db.query<{ name: string }>(
    'SELECT name FROM unnest($1::text[]) AS t(name) WHERE to_regclass(name) IS NOT NULL ORDER BY name',
    [tables],
  );
  const out: TableRows[] = [];
  for (const { name } of present) {
    try {
      // `name` is canonical quoted SQL (normalizeTableName), safe to splice.
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${name} LIMIT ${ROW_COUNT_CAP + 1}) AS capped`);
      const n = rows[0]?.n ?? 0;
      if (n > 0) out.push({ table: displayTableName(name), rows: n });
    } catch (err) {
      // 42501 insufficient_privilege: someone else's table; the permissions check names it too.
      if ((err as { code?: unknown }).code !== '42501') throw err;
      out.push({ table: displayTableName(name), rows: null });
    }
  }
  return out;
}

export function describeRows(t: TableRows): string {
  if (t.rows === null) return `${t.table} (not readable by this user)`;
  return t.rows > ROW_COUNT_CAP ? `${t.table} (more than ${ROW_COUNT_CAP} rows)` : `${t.table} (${t.rows} row${t.rows === 1 ? '' : 's'})`;
}

/**
 * Pure: the verdict for the tables found non-empty. `own` is the migration this tool recorded in
 * the target (app/run/migration-status.ts): an unfinished one is resumed without extra flags
 * (`details.resume`), rows nobody recorded refuse the run.
 */
export function targetEmptyVerdict(found: readonly TableRows[], checked: number, convert: Pick<Config['convert'], 'skipExisting' | 'dryRun'>, own: MigrationStatus | null = null): CheckResult {
  const details = { tables_checked: checked, non_empty: found.map((t) => ({ table: t.table, rows: t.rows !== null && t.rows > ROW_COUNT_CAP ? `>${ROW_COUNT_CAP}` : t.rows })) };
  if (found.length === 0) return pass('target-empty', `the target is empty (${checked} table(s) the migration writes checked)`, details);
  const list = found.map(describeRows).join(', ');
  const unfinished = own !== null && own.status !== 'finished';
  const recorded = own && `started ${own.startedAt.toISOString()}, ${own.runs} run(s), the last one ${own.status === 'running' ? 'killed' : own.status}`;
  if (convert.skipExisting) {
    return warn('target-empty', `resuming (CONVERT_SKIP_EXISTING): existing rows will be kept and skipped: ${list}`, { ...details, resume: true });
  }
  if (convert.dryRun) return warn('target-empty', `the target is not empty (dry run: nothing will be written): ${list}`, details);
  if (unfinished) {
    return warn('target-empty', `resuming this tool's unfinished migration (${recorded}): rows already in the target are kept and skipped: ${list}`, { ...details, resume: true, migration: own });
  }
  if (own?.status === 'finished') {
    return fail(
      'target-empty',
      `the target database holds a migration this tool finished at ${own.finishedAt?.toISOString() ?? own.updatedAt.toISOString()}: ${list}. There is nothing to resume; \`mongo2pg verify\` checks it against the source. To load into it anyway, set CONVERT_SKIP_EXISTING=true`,
      { ...details, migration: own },
    );
  }
  return fail(
    'target-empty',
    `the target database is not empty: ${list}. It holds no unfinished migration of this tool (${STATUS_TABLE}), so these rows were not written by it; the migration expects an empty database. To load into it anyway (keeping and skipping existing rows), set CONVERT_SKIP_EXISTING=true`,
    details,
  );
}

export async function checkTargetEmpty(db: Queryable, tables: readonly string[], convert: Pick<Config['convert'], 'skipExisting' | 'dryRun'>): Promise<CheckResult> {
  return targetEmptyVerdict(await nonEmptyTables(db, tables), tables.length, convert, await readMigrationStatus(db));
}
