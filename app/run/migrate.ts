/**
 * The run: connect, pre-flight, schema, phase 1 (record-level), phase 2 (bulk), post-load,
 * summary. Nothing is written before the pre-flight gate passes.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { Config } from '../config/load.js';
import { bulkDataSets, recordDataSets } from '../datasets/registry.js';
import { runBulkPhase } from '../engine/bulk-engine.js';
import { KnownIds } from '../engine/integrity.js';
import { deferConstraints, restoreConstraints } from '../engine/deferred-constraints.js';
import { runExecutionSequences } from '../datasets/bulk/execution-sequences.js';
import type { DroppedFields } from '../datasets/bulk/test-workflow-executions.js';
import { EXECUTION_SEQUENCES_TABLE } from '../transform/testkube/index.js';
import type { EngineContext, ProgressSink } from '../engine/context.js';
import { runRecordDataSet } from '../engine/record-engine.js';
import { MigrationFailedError } from './outcome.js';
import { STATUS_TABLE, markRunEnded, markRunStarted, readMigrationStatus } from './migration-status.js';
import { alreadyMigratedNotice, type AlreadyMigratedNotice } from './already-migrated.js';
import { acquireRunLock } from './run-lock.js';
import { InterruptedError, errorMessage, isMongo2pgError } from '../errors.js';
import { StallWatch } from '../progress/stall-watch.js';
import { HUMAN, type Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { VerificationOutcome } from '../report/final-line.js';
import { statisticsBlock, statisticsFields, summaryTable, totalsOf, type DataSetStats } from '../report/stats.js';
import { migrateSchema } from '../schema-migrations/migrator.js';
import { analyzeTables, resetSequences } from './post-load.js';
import { recordAllDigests } from './table-digests.js';
import { logDroppedExecutionFields } from './dropped-fields-log.js';
import { runPreflight } from '../preflight/gate.js';
import { connectSink } from '../sink/postgres.js';
import { connectSource } from '../source/mongo.js';
import { verifyStep } from '../verify/command.js';
import type { SourceDb } from '../source/source-db.js';

export const SCHEMA_DIR = fileURLToPath(new URL('../../schema', import.meta.url));

export interface RunDeps {
  config: Config;
  logger: Logger;
  redact: Redactor;
  signal: AbortSignal;
  progress?: ProgressSink;
  /**
   * Output for the human-readable statistics blocks and summary table; `meta` says which
   * (`kind: 'statistics' | 'summary'`, `task`), so each printed line can carry it.
   */
  print: (text: string, meta?: { kind: 'statistics' | 'summary'; task?: string }) => void;
  /**
   * An already-connected source read instead of connecting to config.mongo (tests and benchmarks:
   * an in-process source); the run does not close it. `main` never sets it.
   */
  source?: SourceDb;
}

/** The run's source: the injected one (left open), or a connection to config.mongo (closed by the run). */
export async function openSource(injected: SourceDb | undefined, config: Config, logger: Logger, signal: AbortSignal): Promise<{ db: SourceDb; close(): Promise<void> }> {
  if (injected) return { db: injected, close: async () => undefined };
  return connectSource(config, logger, signal);
}

export interface RunResult {
  stats: DataSetStats[];
  /** Whether the verify step ran and passed (it throws VerificationError when it fails). */
  verification?: VerificationOutcome;
  /** Set when the target holds this tool's completed migration and nothing was done (issue 14). */
  alreadyCompleted?: AlreadyMigratedNotice;
}

export async function migrate(deps: RunDeps): Promise<RunResult> {
  const { logger } = deps;
  // The run's own stop: main's signal (SIGTERM/SIGINT), or a fault of the run itself (the run lock lost).
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(deps.signal.reason);
  if (deps.signal.aborted) onAbort();
  else deps.signal.addEventListener('abort', onAbort, { once: true });
  const signal = stop.signal;
  let config = deps.config;
  // Every progress event also feeds the stall detector (issue 13, D12).
  const progress = new StallWatch(deps.progress, { timeoutMs: config.convert.stallTimeout, warnEveryMs: config.progress.interval, logger, onStall: (err) => stop.abort(err) });
  progress.start();
  progress.phase('preflight');
  const source = await openSource(deps.source, config, logger, signal);
  try {
    const pool = await connectSink(config, logger, signal);
    // A dry run writes nothing, so it needs no lock and may run beside a real run.
    const lock = config.convert.dryRun ? null : await acquireRunLock(config, logger, (err) => stop.abort(err)).catch(async (err: unknown) => {
      await pool.end();
      throw err;
    });
    let ended: 'finished' | 'failed' | 'interrupted' = 'failed';
    let statusWritten = false;
    let runNo = 0;
    try {
      // The hook left on after a successful migration (issue 14): touch nothing, succeed, say what
      // to do. Before the gate, which refuses a finished migration (exit 3) for `preflight` alone.
      const recorded = config.convert.dryRun || config.convert.skipExisting ? null : await readMigrationStatus(pool);
      if (recorded?.status === 'finished') {
        const notice = alreadyMigratedNotice(recorded, config.progress.release);
        logger.warn(notice.message, { ...notice.fields, [HUMAN]: `${notice.message} at ${notice.fields.finished_at}: ${notice.fields.action}` });
        ended = 'finished';
        return { stats: [], alreadyCompleted: notice };
      }
      const preflight = await runPreflight({ config, db: source.db, pool, logger, schemaDir: SCHEMA_DIR });
      if (preflight.resume && !config.convert.skipExisting) {
        // The tool's own unfinished migration (D5): resumed as CONVERT_SKIP_EXISTING=true would.
        config = deepFreeze({ ...config, convert: { ...config.convert, skipExisting: true } });
        logger.info('resuming the unfinished migration in the target: records already there are kept and skipped (as with CONVERT_SKIP_EXISTING=true)', { resume: true });
      }
      const ctx: EngineContext = { config, db: source.db, pool, logger, redact: deps.redact, signal, known: new KnownIds(), progress };
      if (config.convert.dryRun) {
        logger.info('dry run: reading and transforming everything, writing nothing');
      } else {
        const status = await markRunStarted(pool);
        statusWritten = true;
        runNo = status.runs;
        logger.info('migration recorded in the target', { table: STATUS_TABLE, started_at: status.startedAt.toISOString(), run: status.runs });
        progress.phase('schema');
        await migrateSchema(pool, SCHEMA_DIR, logger);
      }
      const stats: DataSetStats[] = [];
      let verification: VerificationOutcome = 'not-run';
      // Finished tasks in finishing order: the summary of a run that stops early shows these.
      const finished: DataSetStats[] = [];
      let summarized = false;
      const summarize = (all: readonly DataSetStats[]): void => {
        summarized = true;
        deps.print(summaryTable(all), { kind: 'summary' });
        const totals = totalsOf(all);
        logger.info('run summary', { totals, data_sets: all.map((s) => ({ task: s.name, ...statisticsFields(s) })), [HUMAN]: `run summary: ${totals.data_sets} data sets, ${totals.total} records, ${totals.failed} failed, ${totals.skipped} skipped` });
      };
      const taskDone = (s: DataSetStats): void => {
        finished.push(s);
        // The structured line is what parsers read; the block below it is the original's layout for people.
        logger.info('task finished', { task: s.name, statistics: statisticsFields(s), [HUMAN]: `${s.name}: finished` });
        deps.print(statisticsBlock(s), { kind: 'statistics', task: s.name });
      };
      try {
        const records = recordDataSets(config);
        progress.phase('records');
        logger.info('phase started', { phase: 'records', data_sets: records.length });
        for (const ds of records) {
          signal.throwIfAborted();
          const s = await runRecordDataSet(ctx, ds);
          stats.push(s);
          taskDone(s);
        }
        const droppedExecutionFields: DroppedFields = new Map();
        const bulk = bulkDataSets(config, droppedExecutionFields);
        progress.phase('bulk');
        logger.info('phase started', { phase: 'bulk', data_sets: bulk.length + 1, parallel: config.convert.bulkParallel });
        if (!config.convert.dryRun) await deferConstraints(pool, [...bulk.flatMap((d) => d.tables.map((t) => t.table)), EXECUTION_SEQUENCES_TABLE.table], logger);
        stats.push(...(await runBulkPhase(ctx, bulk, taskDone)));
        const sequences = await runExecutionSequences(ctx);
        stats.push(sequences);
        taskDone(sequences);
        // Values Testkube's PostgreSQL schema has no place for (fact sheet §6); the documents themselves migrated.
        logDroppedExecutionFields(logger, droppedExecutionFields);
        if (!config.convert.dryRun) {
          progress.phase('verify');
          await restoreConstraints(pool, logger);
          await resetSequences(pool, logger);
          await analyzeTables(pool, logger);
        }
        summarize(stats);
        verification = config.convert.verify && !config.convert.dryRun ? 'not-run' : 'skipped';
        if (config.convert.verify && !config.convert.dryRun) {
          // After the summary, so the statistics stand even when verification finds a difference (exit 5).
          signal.throwIfAborted();
          await verifyStep({ config, db: source.db, pool, logger, signal, print: deps.print, onProgress: (d, checked, total) => progress.verifyProgress(d, checked, total) });
          verification = 'passed';
        }
      } finally {
        if (!summarized && finished.length > 0) summarize(finished);
      }
      if (!config.convert.dryRun) {
        // Issue 17: the run went to the end (a pre-copy a `catch-up` can start from); what the
        // target holds now is what mongo2pg wrote, by table digest.
        const digests = await recordAllDigests(pool, runNo);
        logger.info('table digests recorded for a later catch-up', { tables: digests.length });
      }
      const failed = stats.filter((s) => s.failed > 0);
      if (failed.length > 0) {
        throw new MigrationFailedError(stats, `${failed.reduce((n, s) => n + s.failed, 0)} record(s) failed in ${failed.map((s) => s.name).join(', ')}; see the *_migration_errors.log files in ${resolve(config.convert.workDir || process.cwd())}`, verification);
      }
      ended = 'finished';
      return { stats, verification };
    } catch (err) {
      if (signal.aborted && signal.reason instanceof InterruptedError) ended = 'interrupted';
      // The run stopped itself (stalled, run lock lost): that is the cause, not the read it broke off.
      if (signal.aborted && !deps.signal.aborted && isMongo2pgError(signal.reason)) throw signal.reason;
      throw err;
    } finally {
      if (statusWritten) {
        // Best effort: a run whose status stays `running` is resumed just the same.
        await markRunEnded(pool, ended).catch((err: unknown) => logger.warn('could not record how the run ended', { status: ended, error: errorMessage(err) }));
      }
      await lock?.release();
      await pool.end();
    }
  } finally {
    progress.stop();
    deps.signal.removeEventListener('abort', onAbort);
    await source.close();
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
