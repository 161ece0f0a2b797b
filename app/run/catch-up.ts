/**
 * `mongo2pg catch-up` (issue 17): run at cutover, with the application's writers stopped, after a
 * pre-copy `migrate` that ran while the application still ran on MongoDB. It makes the target
 * equal to the source at this moment by touching only what changed: record-level data sets
 * record by record (parents first; deletes children first, in a pass of their own), then the
 * bulk data sets and execution sequences through the bulk handlers, then constraints and
 * sequences as after `migrate`, then verification as at the end of `migrate`.
 *
 * Before anything is written, the target must hold a pre-copy that ran to the end and every
 * table must be as mongo2pg left it (app/catchup/ownership.ts): rows someone else wrote are
 * never overwritten or deleted (exit 3). CONVERT_DRY_RUN=true counts what would change per data
 * set and writes nothing — the estimate of the maintenance window.
 */
import type { Config } from '../config/load.js';
import { bulkDataSets, recordDataSets } from '../datasets/registry.js';
import type { DataSet } from '../datasets/types.js';
import { KnownIds } from '../engine/integrity.js';
import { restoreConstraints } from '../engine/deferred-constraints.js';
import type { ProgressSink } from '../engine/context.js';
import { InterruptedError, PreflightError, isMongo2pgError } from '../errors.js';
import { checkMasterPassword } from '../preflight/master-password.js';
import { HUMAN, type Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import { StallWatch } from '../progress/stall-watch.js';
import { statisticsBlock, statisticsFields, type DataSetStats } from '../report/stats.js';
import { connectSink } from '../sink/postgres.js';
import type { SourceDb } from '../source/source-db.js';
import { EXECUTION_SEQUENCES_TABLE } from '../transform/testkube/index.js';
import { verifyStep } from '../verify/command.js';
import { beginWrites, writeReach, checkOwnership, endWrites, recordCatchUpFinished } from '../catchup/ownership.js';
import { RecordCatchUp, catchUpStats } from '../catchup/records.js';
import { NO_CHANGES, type BulkCatchUpResult, type CatchUpContext, type CatchUpCounts } from '../catchup/types.js';
import type { ChangedRecords } from '../verify/context.js';
import { MigrationFailedError } from './outcome.js';
import { openSource } from './migrate.js';
import { markRunEnded } from './migration-status.js';
import { resetSequences } from './post-load.js';
import { acquireRunLock } from './run-lock.js';
import { runDisjoint } from '../util/disjoint.js';
import { ensureDigestsTable, recordHorizons, recordWritten } from './table-digests.js';
import { SEQUENCES_DATA_SET } from '../datasets/bulk/execution-sequences.js';

/**
 * The bulk side of catch-up (app/catchup/bulk.ts: catchUpBulkDataSet, catchUpExecutionSequences):
 * injected by `main`, so this orchestrator does not depend on how it is built. Both honour ctx.dryRun and report progress
 * through ctx.progress; ownership (dirty marks, digests) of their tables is handled here.
 */
export interface BulkCatchUpHandlers {
  /** One append-only bulk data set, or the test workflow executions. */
  bulkDataSet(ctx: CatchUpContext, dataSet: DataSet): Promise<BulkCatchUpResult>;
  /** Execution sequences, recomputed after the executions. */
  executionSequences(ctx: CatchUpContext): Promise<CatchUpCounts>;
}

export interface CatchUpDeps {
  config: Config;
  logger: Logger;
  redact: Redactor;
  signal: AbortSignal;
  progress?: ProgressSink;
  print: (text: string, meta?: { kind: 'statistics' | 'summary'; task?: string }) => void;
  bulk: BulkCatchUpHandlers;
  /** An already-connected source (tests and benchmarks), as RunDeps.source; `main` never sets it. */
  source?: SourceDb;
}

export interface CatchUpResult {
  stats: DataSetStats[];
  counts: Map<string, CatchUpCounts>;
  /** Set when an earlier catch-up completed the cutover and nothing was done (its time). */
  alreadyCompleted?: string;
  /** Where the window went, in milliseconds (also logged as `catch-up timings`). */
  timings?: CatchUpTimings;
}

export interface CatchUpTimings {
  /** checkOwnership: every table's digest read and compared with the recorded one. */
  ownershipMs: number;
  /** Record-level data sets (upserts and the delete pass, their dirty marks and digests included). */
  recordsMs: number;
  /** The bulk data sets and execution sequences, wall time (data sets run side by side). */
  bulkMs: number;
  /** Per bulk data set (and execution sequences): the handler's own time. */
  bulk: Array<{ name: string; handlerMs: number; digestsMs: number; digests: 'none' | 'cleared' | 'derived' | 'headers' | 'read' | 'deferred' }>;
  /** The tables the bulk data sets left to record once all were done (recordWritten), and how. */
  recordedMs: number;
  recorded: { headers: number; read: number };
  /** Constraints restored and sequences reset. */
  postLoadMs: number;
  verifyMs: number;
}

/** Inserted / updated / deleted / unchanged / failed / skipped per data set, and the totals. */
export function catchUpTable(rows: ReadonlyArray<{ name: string; counts: CatchUpCounts; durationMs: number }>): string {
  const header = ['DATA SET', 'INSERTED', 'UPDATED', 'DELETED', 'UNCHANGED', 'FAILED', 'SKIPPED', 'SECONDS'];
  const total = rows.reduce((a, r) => ({ inserted: a.inserted + r.counts.inserted, updated: a.updated + r.counts.updated, deleted: a.deleted + r.counts.deleted, unchanged: a.unchanged + r.counts.unchanged, failed: a.failed + r.counts.failed, skipped: a.skipped + r.counts.skipped }), { ...NO_CHANGES });
  const cells = (name: string, c: CatchUpCounts, seconds: string): string[] => [name, String(c.inserted), String(c.updated), String(c.deleted), String(c.unchanged), String(c.failed), String(c.skipped), seconds];
  const body = rows.map((r) => cells(r.name, r.counts, (r.durationMs / 1000).toFixed(2)));
  body.push(cells('ALL', total, ''));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 0 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** One line for the Job annotation and the last log line: `succeeded: 40 data sets: 2 inserted, … in 4.4s`. */
export function catchUpSummaryLine(ok: boolean, counts: ReadonlyMap<string, CatchUpCounts>, elapsedMs: number, dryRun: boolean, reason?: string): string {
  const t = [...counts.values()].reduce((a, c) => ({ inserted: a.inserted + c.inserted, updated: a.updated + c.updated, deleted: a.deleted + c.deleted, unchanged: a.unchanged + c.unchanged, failed: a.failed + c.failed, skipped: a.skipped + c.skipped }), { ...NO_CHANGES });
  const text = `${counts.size} data set${counts.size === 1 ? '' : 's'}: ${t.inserted} inserted, ${t.updated} updated, ${t.deleted} deleted, ${t.unchanged} unchanged, ${t.failed} failed, ${t.skipped} skipped${dryRun ? ' (dry run: would change, nothing written)' : ''} in ${(elapsedMs / 1000).toFixed(1)}s`;
  return ok ? `succeeded: ${text}` : `failed: ${reason ? `${reason.replace(/\s*\n\s*/g, ' ')}; ` : ''}${text}`;
}

export async function catchUp(deps: CatchUpDeps): Promise<CatchUpResult> {
  const { config, logger } = deps;
  const dryRun = config.convert.dryRun;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(deps.signal.reason);
  if (deps.signal.aborted) onAbort();
  else deps.signal.addEventListener('abort', onAbort, { once: true });
  const signal = stop.signal;
  const progress = new StallWatch(deps.progress, { timeoutMs: config.convert.stallTimeout, warnEveryMs: config.progress.interval, logger, onStall: (err) => stop.abort(err) });
  progress.start();
  progress.phase('preflight');
  const source = await openSource(deps.source, config, logger, signal);
  try {
    const pool = await connectSink(config, logger, signal);
    const lock = dryRun ? null : await acquireRunLock(config, logger, (err) => stop.abort(err)).catch(async (err: unknown) => {
      await pool.end();
      throw err;
    });
    try {
      // Reads only: refuses (exit 3) before anything is written.
      let mark = Date.now();
      const lap = (): number => {
        const now = Date.now();
        const ms = now - mark;
        mark = now;
        return ms;
      };
      const owned = await checkOwnership(pool, logger);
      const timings: CatchUpTimings = { ownershipMs: lap(), recordsMs: 0, bulkMs: 0, bulk: [], recordedMs: 0, recorded: { headers: 0, read: 0 }, postLoadMs: 0, verifyMs: 0 };
      if (owned.alreadyCaughtUp) {
        // The cutover is done and the application writes to PostgreSQL: touch nothing, succeed,
        // say what to do (the hook left on must not block the application's next upgrades).
        const at = owned.alreadyCaughtUp.finishedAt.toISOString();
        const action = 'nothing was written; switch the migration hook off: helm upgrade <release> <chart> --reuse-values --set mongoToPostgresMigration.enabled=false';
        logger.warn('catch-up already completed; the application has written to PostgreSQL since', { finished_at: at, tables: owned.alreadyCaughtUp.changed.length, action, [HUMAN]: `catch-up already completed at ${at}, and the application has written to PostgreSQL since: ${action}` });
        return { stats: [], counts: new Map(), alreadyCompleted: at };
      }
      // A wrong master password would fail every credential, and the delete pass would then remove
      // their rows (a record that no longer migrates has none in a migration of the source).
      const password = await checkMasterPassword(source.db, config.credentials.masterPassword);
      if (password.status === 'fail') throw new PreflightError(password.check, `catch-up refused, nothing was written: [${password.check}] ${password.message}`, { context: { check: password.check } });
      logger.info(`pre-flight ${password.check}: ${password.message}`, { kind: 'preflight', check: password.check, status: password.status });
      // Digests recorded by an earlier build have no horizon column yet (app/run/table-digests.ts);
      // tables the check had to digest get the horizon of that read, for the next check.
      if (!dryRun) {
        await ensureDigestsTable(pool);
        await recordHorizons(pool, owned.digested);
      }
      const ctx: CatchUpContext = { config, db: source.db, pool, logger, redact: deps.redact, signal, known: new KnownIds(), progress, dryRun };
      if (dryRun) logger.info('dry run: counting what catch-up would change, writing nothing');
      const rows: Array<{ name: string; counts: CatchUpCounts; durationMs: number }> = [];
      const stats: DataSetStats[] = [];
      const done = (s: DataSetStats, counts: CatchUpCounts): void => {
        stats.push(s);
        rows.push({ name: s.name, counts, durationMs: s.durationMs });
        progress.taskFinished(s);
        logger.info('task finished', { task: s.name, phase: 'catch-up', statistics: statisticsFields(s), dry_run: dryRun, [HUMAN]: `${s.name}: caught up (${counts.inserted} inserted, ${counts.updated} updated, ${counts.deleted} deleted, ${counts.unchanged} unchanged, ${counts.failed} failed, ${counts.skipped} skipped)` });
        // The migration's block layout, titled for what this run does.
        deps.print(statisticsBlock(s).replace(/ MIGRATION STATISTICS$/m, ' CATCH-UP STATISTICS'), { kind: 'statistics', task: s.name });
      };

      // Record-level: inserts and updates parents first, then deletes children first.
      const records = recordDataSets(config);
      progress.phase('catch-up');
      logger.info('phase started', { phase: 'catch-up', kind: 'records', data_sets: records.length, dry_run: dryRun });
      lap();
      const rc = new RecordCatchUp(ctx, owned.run);
      const upserted = new Map<string, { counts: CatchUpCounts; stats: DataSetStats }>();
      for (const ds of records) {
        signal.throwIfAborted();
        upserted.set(ds.name, await rc.upsertDataSet(ds));
      }
      const childRows = new Map<string, number>();
      for (const ds of [...records].reverse()) {
        signal.throwIfAborted();
        const gone = await rc.deleteGone(ds);
        const u = upserted.get(ds.name);
        if (u) u.counts.deleted += gone.records;
        childRows.set(ds.name, gone.childRows);
      }
      for (const ds of records) {
        const u = upserted.get(ds.name);
        if (!u) continue;
        done(catchUpStats(ds.name, u.stats.total, u.counts, u.stats.durationMs, childRows.get(ds.name) ?? 0), u.counts);
      }
      timings.recordsMs = lap();

      // Bulk data sets (their handlers), in the migration's order, then execution sequences.
      const bulk = bulkDataSets(config);
      logger.info('phase started', { phase: 'catch-up', kind: 'bulk', data_sets: bulk.length + 1, dry_run: dryRun });
      // What each bulk data set wrote: verified in full below, with a sample of the rest.
      const changed = new Map<string, ChangedRecords>();
      // Tables written by bulk data sets, recorded once they are all done (endWrites).
      const deferred = new Set<string>();
      const runBulk = async (name: string, touched: readonly string[], run: () => Promise<BulkCatchUpResult>): Promise<void> => {
        signal.throwIfAborted();
        const started = Date.now();
        await beginWrites(pool, touched, dryRun);
        const handlerStarted = Date.now();
        const { digestDelta, changed: wrote, ...counts } = await run();
        if (wrote) changed.set(name, wrote);
        const handlerMs = Date.now() - handlerStarted;
        // A delta stands for the table's digest only if the recorded one was exact before: the
        // table was checked at the start (not left dirty by an earlier catch-up).
        const delta = digestDelta && !owned.dirty.includes(digestDelta.table) ? digestDelta : undefined;
        const digests = await endWrites(pool, touched, owned.run, dryRun, counts.inserted + counts.updated + counts.deleted > 0, delta, deferred);
        timings.bulk.push({ name, handlerMs, digestsMs: Date.now() - started - handlerMs, digests });
        done(catchUpStats(name, counts.inserted + counts.updated + counts.unchanged + counts.failed + counts.skipped, counts, Date.now() - started), counts);
      };
      // CONVERT_BULK_PARALLEL at a time, as `migrate` runs them, but never two whose writes reach a
      // common table: a table's digest is recorded (or derived) once its only writer is done.
      const reach = new Map<string, string[]>();
      for (const ds of bulk) reach.set(ds.name, dryRun ? [] : await writeReach(pool, ds.tables.map((t) => t.table)));
      await runDisjoint(bulk, config.convert.bulkParallel, (ds) => reach.get(ds.name) ?? [], (ds) => runBulk(ds.name, reach.get(ds.name) ?? [], () => deps.bulk.bulkDataSet(ctx, ds)));
      await runBulk(SEQUENCES_DATA_SET, dryRun ? [] : await writeReach(pool, [EXECUTION_SEQUENCES_TABLE.table]), () => deps.bulk.executionSequences(ctx));
      timings.bulkMs = lap();
      if (!dryRun && deferred.size > 0) timings.recorded = await recordWritten(pool, [...deferred], owned.run);
      timings.recordedMs = lap();

      if (!dryRun) {
        progress.phase('verify');
        await restoreConstraints(pool, logger);
        await resetSequences(pool, logger);
      }
      timings.postLoadMs = lap();
      // Rows in the migration's order (bulk data sets finish in any order).
      const order = [...records, ...bulk].map((d) => d.name);
      const rank = (name: string): number => (order.includes(name) ? order.indexOf(name) : order.length);
      rows.sort((a, b) => rank(a.name) - rank(b.name));
      stats.sort((a, b) => rank(a.name) - rank(b.name));
      deps.print(catchUpTable(rows), { kind: 'summary' });
      const totals = rows.reduce((a, r) => ({ inserted: a.inserted + r.counts.inserted, updated: a.updated + r.counts.updated, deleted: a.deleted + r.counts.deleted, unchanged: a.unchanged + r.counts.unchanged, failed: a.failed + r.counts.failed, skipped: a.skipped + r.counts.skipped }), { ...NO_CHANGES });
      logger.info('catch-up summary', { totals, dry_run: dryRun, data_sets: rows.map((r) => ({ task: r.name, ...r.counts })), [HUMAN]: `catch-up${dryRun ? ' (dry run: would change)' : ''}: ${totals.inserted} inserted, ${totals.updated} updated, ${totals.deleted} deleted, ${totals.unchanged} unchanged, ${totals.failed} failed, ${totals.skipped} skipped` });
      if (config.convert.verify && !dryRun) {
        signal.throwIfAborted();
        lap();
        // Re-checking every document the pre-copy wrote would take the window back to the length of
        // a full verification: a bulk data set larger than the sample is verified by every document
        // written here, a spread sample of the rest and its main table's row count (record-level data
        // sets as `migrate` verifies them). `mongo2pg verify` checks everything as `migrate` does.
        await verifyStep({ config, db: source.db, pool, logger, signal, print: deps.print, options: { changed }, onProgress: (d, checked, total) => progress.verifyProgress(d, checked, total) });
        timings.verifyMs = lap();
      }
      logger.info('catch-up timings', { ownership_ms: timings.ownershipMs, records_ms: timings.recordsMs, bulk_ms: timings.bulkMs, recorded_ms: timings.recordedMs, recorded: timings.recorded, bulk: timings.bulk.map((b) => ({ task: b.name, handler_ms: b.handlerMs, digests_ms: b.digestsMs, digests: b.digests })), post_load_ms: timings.postLoadMs, verify_ms: timings.verifyMs });
      const failed = stats.filter((s) => s.failed > 0);
      if (failed.length > 0) {
        throw new MigrationFailedError(stats, `${failed.reduce((n, s) => n + s.failed, 0)} record(s) failed in ${failed.map((s) => s.name).join(', ')}; see the *_migration_errors.log files in ${config.convert.workDir || process.cwd()}`);
      }
      // The target is level with the source: the migration is finished (a pre-copy with failed records included).
      if (!dryRun) {
        await markRunEnded(pool, 'finished');
        await recordCatchUpFinished(pool);
      }
      return { stats, counts: new Map(rows.map((r) => [r.name, r.counts])), timings };
    } catch (err) {
      if (signal.aborted && !deps.signal.aborted && isMongo2pgError(signal.reason)) throw signal.reason;
      if (signal.aborted && signal.reason instanceof InterruptedError) throw signal.reason;
      throw err;
    } finally {
      await lock?.release();
      await pool.end();
    }
  } finally {
    progress.stop();
    deps.signal.removeEventListener('abort', onAbort);
    await source.close();
  }
}
