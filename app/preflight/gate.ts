/**
 * The pre-flight gate: everything that can be known before the first write, checked before it.
 * Runs after both connections are up (connecting is the reachability check) and reads only.
 * Every check runs and is logged, so one run shows every problem; any failure refuses the run
 * with a PreflightError naming the first failed check.
 */
import type { Config } from '../config/load.js';
import { bulkDataSets, recordDataSets } from '../datasets/registry.js';
import { PROGRESS_TABLE } from '../engine/bulk-progress.js';
import { PreflightError, errorMessage, isMongo2pgError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { GOOSE_TABLE, loadMigrations } from '../schema-migrations/migrator.js';
import type { SourceDb } from '../source/source-db.js';
import { checkMasterPassword, checkMasterPasswordLength } from './master-password.js';
import { checkPermissions, ownSchemaTables } from './permissions.js';
import { fail, type CheckName, type CheckResult, type PreflightReport, type SourceCount } from './result.js';
import { collectionsVerdict, countSources, excludedByFilter, existingCollections } from './source-collections.js';
import { checkTargetEmpty, type Queryable } from './target-empty.js';
import { checkWorkDir } from './work-dir.js';
import { normalizeTableName, tablesWritten } from './written-tables.js';

export interface PreflightDeps {
  config: Config;
  db: SourceDb;
  pool: Queryable;
  logger: Logger;
  /** schema/ directory: the tables its files create are part of what must be empty. */
  schemaDir: string;
}

/** Pure checks, before any connection: fail fast on what configuration alone can tell. */
export function preflightSettings(config: Config): void {
  const result = checkMasterPasswordLength(config.credentials.masterPassword);
  if (result.status === 'fail') throw new PreflightError(result.check, `pre-flight gate refused to start, nothing was written: [${result.check}] ${result.message}`, { context: { check: result.check } });
}

function log(logger: Logger, r: CheckResult): void {
  const level = r.status === 'pass' ? 'info' : r.status === 'warn' ? 'warn' : 'error';
  logger.log(level, `pre-flight ${r.check}: ${r.message}`, { kind: 'preflight', check: r.check, status: r.status, ...r.details });
}

/** One line per data set with documents; the empty ones together in one line (issue 16: not 40 lines of 0). */
function logSummary(logger: Logger, sources: readonly SourceCount[]): void {
  const empty = sources.filter((s) => s.documents === 0);
  if (empty.length > 0) {
    const names = empty.map((s) => s.dataSet);
    const text = empty.length === sources.length ? `all ${sources.length} data sets are empty (nothing to migrate)` : `${empty.length} of ${sources.length} data sets are empty: ${names.join(', ')}`;
    logger.info(`source: ${text}`, { kind: 'preflight-summary', documents: 0, data_sets: names });
  }
  for (const s of sources.filter((x) => x.documents > 0)) {
    const where = s.collections === 1 ? '1 collection' : `${s.collections} collections`;
    logger.info(`source ${s.dataSet}: about ${s.documents} document(s) in ${where}${s.filtered ? ', filtered at run time' : ''}`, {
      kind: 'preflight-summary', data_set: s.dataSet, phase: s.phase, documents: s.documents, collections: s.collections, estimated: s.estimated, filtered: s.filtered,
    });
  }
}

/** A check that cannot run (query error) is a failed check, not a crash. */
async function guarded(check: CheckName, run: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await run();
  } catch (err) {
    if (isMongo2pgError(err)) throw err;
    return fail(check, `could not run the check: ${errorMessage(err)}`);
  }
}

async function guardedList(run: () => Promise<string[]>): Promise<string[]> {
  try {
    return await run();
  } catch {
    // The permissions and target checks below report a database they cannot read.
    return [];
  }
}

export async function runPreflight(deps: PreflightDeps): Promise<PreflightReport> {
  const { config, db, pool, logger } = deps;
  const checks: CheckResult[] = [];
  const record = (r: CheckResult): void => {
    checks.push(r);
    log(logger, r);
  };
  logger.info('pre-flight gate: checking before anything is written', { kind: 'preflight' });

  const length = checkMasterPasswordLength(config.credentials.masterPassword);
  record(length);
  record(await guarded('work-dir', () => checkWorkDir(config.convert.workDir, process.cwd())));

  const dataSets = [...recordDataSets(config), ...bulkDataSets(config)];
  let existing = new Set<string>();
  record(await guarded('source-collections', async () => {
    existing = await existingCollections(db);
    return collectionsVerdict(dataSets, existing, config.mongo.db);
  }));

  // The tool's own bookkeeping (bulk progress, constraints set aside …): rows there mean an earlier run.
  const bookkeeping = await guardedList(() => ownSchemaTables(pool));
  const tables = tablesWritten(dataSets, loadMigrations(deps.schemaDir), [PROGRESS_TABLE, ...bookkeeping]);
  record(await guarded('postgres-permissions', () => checkPermissions(pool, [...tables, normalizeTableName(GOOSE_TABLE)], config.convert.dryRun)));
  record(await guarded('target-empty', () => checkTargetEmpty(pool, tables, config.convert)));
  if (length.status === 'pass') record(await guarded('master-password', () => checkMasterPassword(db, config.credentials.masterPassword)));

  let sources: SourceCount[] = [];
  try {
    sources = await countSources(db, dataSets, existing);
    logSummary(logger, sources);
  } catch (err) {
    // The summary informs; it does not gate.
    logger.warn(`pre-flight summary: could not count source documents: ${errorMessage(err)}`, { kind: 'preflight' });
  }
  if (config.convert.since) {
    // Records left behind on purpose are said out loud (issue 13: an example's `since` dropped history silently).
    const since = config.convert.since.toISOString().slice(0, 10);
    try {
      for (const e of await excludedByFilter(db, dataSets, existing)) {
        if (e.excluded > 0) logger.warn(`CONVERT_SINCE=${since}: about ${e.excluded} of ${e.total} ${e.dataSet} record(s) are older and will NOT be migrated`, { kind: 'preflight', setting: 'CONVERT_SINCE', since, data_set: e.dataSet, excluded: e.excluded, total: e.total });
      }
    } catch (err) {
      logger.warn(`CONVERT_SINCE=${since}: could not count the records it leaves out: ${errorMessage(err)}`, { kind: 'preflight', setting: 'CONVERT_SINCE' });
    }
  }

  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length > 0) {
    const first = failed[0] as CheckResult;
    const lines = failed.map((c) => `[${c.check}] ${c.message}`);
    throw new PreflightError(first.check, `pre-flight gate refused to start, nothing was written: ${lines.join('; ')}`, {
      context: { check: first.check, failed_checks: failed.map((c) => c.check) },
    });
  }
  logger.info('pre-flight gate passed', { kind: 'preflight', warnings: checks.filter((c) => c.status === 'warn').map((c) => c.check) });
  const resume = checks.some((c) => c.check === 'target-empty' && c.details?.resume === true);
  return { checks, sources, resume };
}
