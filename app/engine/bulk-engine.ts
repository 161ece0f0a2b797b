/**
 * Bulk phase: MongoDB cursor (CONVERT_BULK_READ_SIZE per batch, ascending _id) → pure transform →
 * COPY FROM STDIN, committed in chunks of CONVERT_BULK_WRITE_SIZE documents.
 *
 * Resume: each chunk's transaction also advances its range's `_id` watermark in
 * mongo2pg.bulk_progress, so a killed run restarts exactly after the last committed document —
 * no duplicates, no gaps.
 * Ranges: a collection is read by `_id` type bracket (id-brackets.ts), a large bracket split into
 * ranges, so `_id`s of every type are read whatever the order between types.
 * Parallelism: data sets, and `_id` ranges of one collection, are units of work run by
 * CONVERT_BULK_PARALLEL workers, each on its own connection; all of them hand their documents
 * to CONVERT_BULK_THREADS transform threads (transform-pool.ts) to be decoded and transformed.
 * Failures: stored in mongo2pg.failed_records in the chunk's transaction; the error report files
 * are rendered from there when a data set finishes. A chunk whose COPY refuses a row is redone
 * document by document under savepoints, so only the bad documents fail. A lost connection (source or target) rolls the chunk back and the
 * range resumes from its watermark.
 */
import type { Document, Filter } from 'mongodb';
import { errorMessage, isMongo2pgError } from '../errors.js';
import type { DataSet, SourceCollection } from '../datasets/types.js';
import { ErrorReport, type FailedRecord } from '../report/error-report.js';
import { ensureFailureTable, storeFailures } from '../report/failure-records.js';
import type { DataSetStats } from '../report/stats.js';
import { checkout, inTransaction, type PoolClient } from '../sink/postgres.js';
import { readAgainOnTransientError } from '../source/source-db.js';
import { sleep } from '../util/retry.js';
import { addCounts, integrityCheck, transformContext, type BatchJob } from './bulk-batch.js';
import { ID_BRACKETS, idCondition, otherBracket, withIdCondition } from './id-brackets.js';
import { btreeIndexKeys, type IndexKeys } from './index-keys.js';
import { ensureProgressTable, readRange, readRanges, writeRange, type RangeProgress } from './bulk-progress.js';
import { BatchFeed, loadChunk } from './bulk-chunk.js';
import { ensureDigestTable } from './record-digests.js';
import type { EngineContext } from './context.js';
import { describeSources, sourceCollections } from './scopes.js';
import { createBatchRunner, type BatchRunner } from './transform-pool.js';

const TRANSIENT_RETRIES = 10;
/** A collection is split into ranges only when each range still gets a few chunks. */
const MIN_CHUNKS_PER_RANGE = 2;

interface Task {
  dataSet: DataSet;
  indexKeys: IndexKeys;
  stats: DataSetStats;
  report: ErrorReport;
  started: number;
  pendingUnits: number;
  /** Documents read into running chunks of this task's ranges, not committed yet. */
  inChunk: number;
  filter: Filter<Document>;
}

interface Unit {
  task: Task;
  source: SourceCollection;
  range: RangeProgress;
}

/** Runs all bulk data sets; returns their statistics in the order given. */
export async function runBulkPhase(ctx: EngineContext, dataSets: readonly DataSet[], onTaskDone: (stats: DataSetStats) => void): Promise<DataSetStats[]> {
  const { config } = ctx;
  if (dataSets.length === 0) return [];
  // Threads boot (load their modules) while the collections are counted and split.
  const runner = createBatchRunner(config, ctx.known);
  try {
    return await runTasks(ctx, dataSets, onTaskDone, runner);
  } finally {
    await runner.close();
  }
}

async function runTasks(ctx: EngineContext, dataSets: readonly DataSet[], onTaskDone: (stats: DataSetStats) => void, runner: BatchRunner): Promise<DataSetStats[]> {
  const { config } = ctx;
  if (!config.convert.dryRun) {
    await ensureProgressTable(ctx.pool);
    await ensureFailureTable(ctx.pool);
    if (dataSets.some((d) => d.mutable === true)) await ensureDigestTable(ctx.pool);
  }
  const tasks: Task[] = [];
  const units: Unit[] = [];
  for (const dataSet of dataSets) {
    const task: Task = {
      dataSet,
      stats: { name: dataSet.name, total: 0, successful: 0, failed: 0, skipped: 0, durationMs: 0 },
      // Chunks store their records in PostgreSQL themselves; the report renders the file from there.
      // Measured against the tables' B-tree indexes, present or set aside (index-keys.ts, D6).
      indexKeys: config.convert.dryRun ? {} : await btreeIndexKeys(ctx.pool, dataSet.tables.map((t) => t.table)),
      report: new ErrorReport(config.convert.workDir || process.cwd(), dataSet.name, ctx.redact.text, config.convert.dryRun ? undefined : ctx.pool),
      started: 0,
      pendingUnits: 0,
      inChunk: 0,
      filter: dataSet.filter ?? {},
    };
    tasks.push(task);
    // Counting and planning only read the source (a plan, once recorded, is read back), so a read
    // the source breaks off is planned again.
    const { sources, expected, planned } = await readAgainOnTransientError(
      async () => {
        const found = await sourceCollections(ctx.db, dataSet);
        let total = 0;
        const ranges: Unit[] = [];
        for (const source of found) {
          const count = await ctx.db.collection(source.collection).countDocuments(task.filter);
          total += count;
          for (const range of await planRanges(ctx, dataSet, source, task.filter, count)) ranges.push({ task, source, range });
        }
        return { sources: found, expected: total, planned: ranges };
      },
      ctx,
      'planning the bulk phase interrupted by a connection error; planning again',
      { task: dataSet.name },
    );
    units.push(...planned);
    task.pendingUnits = planned.length;
    ctx.logger.info('task started', { task: dataSet.name, phase: 'bulk', source: describeSources(sources, dataSet.collection), total: expected, ranges: task.pendingUnits });
    ctx.progress?.taskStarted(dataSet.name, 'bulk', expected);
  }
  for (const task of tasks) {
    task.started = Date.now();
    if (task.pendingUnits === 0) await finishTask(task);
  }

  let next = 0;
  let firstError: unknown = null;
  const worker = async (): Promise<void> => {
    while (firstError === null && next < units.length) {
      const unit = units[next++] as Unit;
      try {
        await runUnit(ctx, unit, runner);
      } catch (err) {
        firstError ??= err;
        return;
      }
      if (--unit.task.pendingUnits === 0) await finishTask(unit.task);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(config.convert.bulkParallel, units.length)) }, worker));
  // Also after an error: the files of unfinished tasks then show what this target holds so far.
  for (const t of tasks) if (t.pendingUnits > 0) await t.report.close();
  if (firstError !== null) throw firstError;
  return tasks.map((t) => t.stats);

  async function finishTask(task: Task): Promise<void> {
    await task.report.close();
    task.stats.durationMs = Date.now() - task.started;
    if (task.report.summary) task.stats.report = task.report.summary;
    const notes = task.dataSet.notes?.();
    if (notes) task.stats.notes = notes;
    ctx.progress?.taskFinished(task.stats);
    onTaskDone(task.stats);
  }
}

/**
 * Ranges of one collection. A first run splits the collection by `_id` type bracket
 * (id-brackets.ts) and a large bracket into up to CONVERT_BULK_PARALLEL `_id` ranges, and records
 * them before loading anything; a resumed run reuses the recorded ranges so watermarks keep their
 * meaning. A last catch-all range reads whatever `_id` type no planned bracket covers.
 */
async function planRanges(ctx: EngineContext, dataSet: DataSet, source: SourceCollection, filter: Filter<Document>, count: number): Promise<RangeProgress[]> {
  const blank = (key: string, bracket: string, lo: unknown, hi: unknown): RangeProgress => ({ source: key, collection: source.collection, bracket, lo, hi, lastId: undefined, done: false, migrated: 0, failed: 0, skipped: 0 });
  if (ctx.config.convert.dryRun) return [blank(source.collection, otherBracket([]), undefined, undefined)];
  const existing = await readRanges(ctx.pool, dataSet.name, source.collection);
  if (existing.length > 0) return existing;
  const collection = ctx.db.collection(source.collection);
  const inBracket = (bracket: string): Filter<Document> => withIdCondition(filter, idCondition(bracket, undefined, undefined));
  // The usual case costs one count: every `_id` an ObjectId.
  const counts = new Map<string, number>();
  // ObjectId, the application's own `_id` type, always has a range, even when empty so far.
  const objectIds = count === 0 ? 0 : await collection.countDocuments(inBracket('objectId'));
  counts.set('objectId', objectIds);
  if (objectIds < count) {
    for (const bracket of ID_BRACKETS) {
      if (bracket === 'objectId') continue;
      const n = await collection.countDocuments(inBracket(bracket));
      if (n > 0) counts.set(bracket, n);
    }
  }
  const { bulkParallel, bulkWriteSize } = ctx.config.convert;
  const ranges: RangeProgress[] = [];
  for (const bracket of ID_BRACKETS) {
    const n = counts.get(bracket);
    if (n === undefined) continue;
    const key = `${source.collection}:${bracket}`;
    const parts = Math.max(1, Math.min(bulkParallel, Math.floor(n / (bulkWriteSize * MIN_CHUNKS_PER_RANGE))));
    const bounds: unknown[] = [];
    for (let i = 1; i < parts; i++) {
      const skip = Math.floor((n * i) / parts) - 1;
      const cursor = collection.find(inBracket(bracket), { sort: { _id: 1 }, skip, limit: 1, projection: { _id: 1 } });
      const doc = await cursor.next();
      await cursor.close();
      if (doc) bounds.push(doc._id);
    }
    if (bounds.length === 0) ranges.push(blank(key, bracket, undefined, undefined));
    else ranges.push(...[undefined, ...bounds].map((lo, i) => blank(`${key}#${i + 1}/${bounds.length + 1}`, bracket, lo, bounds[i])));
  }
  // Also what arrives later with an `_id` of a type no bracket above covers.
  ranges.push(blank(`${source.collection}:other`, otherBracket([...counts.keys()]), undefined, undefined));
  // Record the plan up front (in one transaction) so a resumed run finds the same ranges.
  await inTransaction(ctx.pool, async (client) => {
    for (const r of ranges) await writeRange(client, dataSet.name, r);
  });
  return ranges;
}

function rangeQuery(filter: Filter<Document>, range: RangeProgress): Filter<Document> {
  const lower = range.lastId !== undefined ? range.lastId : range.lo;
  return withIdCondition(filter, idCondition(range.bracket, lower, range.hi));
}

/** A fault in code (ours or a library's), not in a connection: the same chunk would fail again. */
function isProgrammingError(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError;
}

function batchJob(ctx: EngineContext, unit: Unit): Omit<BatchJob, 'bytes'> {
  const { dryRun, skipIntegrityErrors } = ctx.config.convert;
  return { dataSet: unit.task.dataSet.name, source: unit.source, dryRun, skipIntegrityErrors, indexKeys: unit.task.indexKeys, digests: unit.task.dataSet.mutable === true && !dryRun };
}

async function runUnit(ctx: EngineContext, unit: Unit, runner: BatchRunner): Promise<void> {
  if (ctx.config.convert.dryRun) return dryRunUnit(ctx, unit, runner);
  const { logger, signal, config } = ctx;
  const { task, range: planned } = unit;
  let range = planned;
  const account = (p: RangeProgress, sign: 1 | -1): void => {
    task.stats.successful += sign * p.migrated;
    task.stats.failed += sign * p.failed;
    task.stats.skipped += sign * p.skipped;
    task.stats.total += sign * (p.migrated + p.failed + p.skipped);
  };
  if (range.done) {
    account(range, 1);
    logger.info('bulk range already complete, skipping', { task: task.dataSet.name, source: range.source, migrated: range.migrated });
    return;
  }
  if (range.lastId !== undefined) logger.info('resuming bulk range after its last committed document', { task: task.dataSet.name, source: range.source, migrated: range.migrated });
  account(range, 1);
  const tctx = transformContext(unit.source);
  // In the chunk's own transaction: counted in the watermark, stored and reported together (D4).
  const reportBeforeCommit = (client: PoolClient, records: readonly FailedRecord[]): Promise<void> => storeFailures(client, task.dataSet.name, records, ctx.redact.text);
  let transientFailures = 0;
  // Documents read and transformed into the running chunk: progress while a long COPY runs.
  // One addition per batch on the hot path; the progress reporters do their own rate limiting.
  const inChunk = (documents: number): void => {
    task.inChunk += documents;
    ctx.progress?.taskProgress(task.dataSet.name, { ...task.stats, inChunk: task.inChunk });
  };
  let chunkRead = 0;
  const onBatch = (documents: number): void => {
    chunkRead += documents;
    inChunk(documents);
  };
  while (!range.done) {
    signal.throwIfAborted();
    const cursor = ctx.db.collection(unit.source.collection).find(rangeQuery(task.filter, range), { sort: { _id: 1 }, batchSize: config.convert.bulkReadSize, raw: true });
    let client: PoolClient | null = null;
    let broken: Error | undefined;
    try {
      // A connection PostgreSQL ends mid-chunk fails the chunk's own query; retried below.
      client = await checkout(ctx.pool);
      while (!range.done) {
        signal.throwIfAborted();
        chunkRead = 0;
        const result = await loadChunk(client, { cursor, runner, job: batchJob(ctx, unit), onBatch }, ctx, task.dataSet, tctx, range, integrityCheck(task.dataSet, unit.source, ctx.known, config.convert), reportBeforeCommit);
        account(range, -1);
        range = result.progress;
        account(range, 1);
        transientFailures = 0;
        task.inChunk -= chunkRead;
        chunkRead = 0;
        ctx.progress?.taskProgress(task.dataSet.name, { ...task.stats, inChunk: task.inChunk });
      }
    } catch (err) {
      // The chunk rolled back: what it had read is not processed after all.
      task.inChunk -= chunkRead;
      chunkRead = 0;
      broken = err instanceof Error ? err : new Error(String(err));
      if (signal.aborted || isMongo2pgError(err) || isProgrammingError(err) || ++transientFailures > TRANSIENT_RETRIES) throw err;
      logger.warn('bulk chunk interrupted by a connection error; resuming from the last committed document', { task: task.dataSet.name, source: range.source, attempt: transientFailures, error: errorMessage(err) });
      // The chunk was rolled back: the watermark in the database is authoritative.
      await sleep(Math.min(1000 * transientFailures, 5000), signal);
      const stored = await readRange(ctx.pool, task.dataSet.name, range.source).catch(() => undefined);
      if (stored) {
        account(range, -1);
        range = stored;
        account(range, 1);
      }
    } finally {
      await cursor.close().catch(() => undefined);
      // A connection that failed mid-chunk is discarded, not returned to the pool.
      client?.release(broken);
    }
  }
}

async function dryRunUnit(ctx: EngineContext, unit: Unit, runner: BatchRunner): Promise<void> {
  const { task } = unit;
  const cursor = ctx.db.collection(unit.source.collection).find(task.filter, { sort: { _id: 1 }, batchSize: ctx.config.convert.bulkReadSize, raw: true });
  try {
    const feed = new BatchFeed(cursor, runner, batchJob(ctx, unit), Number.POSITIVE_INFINITY);
    for (let fed = await feed.next(); fed !== null; fed = await feed.next()) {
      ctx.signal.throwIfAborted();
      const { output } = fed;
      task.stats.total += output.documents;
      task.stats.successful += output.loaded;
      task.stats.failed += output.failures.length;
      task.stats.skipped += output.skips.length;
      for (const r of [...output.failures, ...output.skips]) task.report.record(r);
      addCounts(task.dataSet.counters, output.counters);
      ctx.progress?.taskProgress(task.dataSet.name, task.stats);
    }
  } finally {
    await cursor.close();
  }
}

export { rangeQuery as _rangeQueryForTests };
