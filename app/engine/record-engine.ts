/**
 * Record-level engine: reads a data set's collections in batches of CONVERT_BATCH_SIZE, transforms
 * every document, checks its references, and writes each batch in its own transaction with up to
 * CONVERT_WORKERS batches in flight. A batch that fails as a whole is retried document by
 * document, so one bad record fails alone and the rest of its batch still lands.
 */
import type { Document } from 'mongodb';
import { IntegrityError, SinkError, errorMessage, isMongo2pgError, withReason } from '../errors.js';
import type { DataSet, SourceCollection, TableRows, TransformContext } from '../datasets/types.js';
import { ErrorReport } from '../report/error-report.js';
import type { DataSetStats } from '../report/stats.js';
import { checkout, type PoolClient } from '../sink/postgres.js';
import type { EngineContext } from './context.js';
import { insertRows, type InsertMode } from './insert.js';
import { checkReferences, orphanCollectionError } from './integrity.js';
import { describeSources, sourceCollections } from './scopes.js';
import { decodeChecked } from './source-read.js';

interface Prepared {
  id: string;
  output: TableRows[];
  /** Key this record provides to later data sets, if any. */
  key: string | undefined;
}

export async function runRecordDataSet(ctx: EngineContext, dataSet: DataSet): Promise<DataSetStats> {
  const { config, db, logger, signal, known } = ctx;
  const started = Date.now();
  const stats: DataSetStats = { name: dataSet.name, total: 0, successful: 0, failed: 0, skipped: 0, durationMs: 0 };
  // Redone whole on every run, so this run's records replace the stored ones (failure-records.ts).
  const report = await ErrorReport.startOver(config.convert.workDir || process.cwd(), dataSet.name, ctx.redact.text, config.convert.dryRun ? undefined : ctx.pool);
  const mode: InsertMode = config.convert.skipExisting ? 'skip-existing' : 'strict';
  if (dataSet.provides) known.track(dataSet.provides.kind);
  const sources = await sourceCollections(db, dataSet);
  const filter = dataSet.filter ?? {};
  let expected = 0;
  for (const s of sources) expected += await db.collection(s.collection).countDocuments(filter);
  // An exploding data set counts documents here and records in its statistics: say so up front.
  const unit = dataSet.explode ? { total_counts: `source documents; each holds zero or more records${dataSet.recordUnit ? ` (a record is ${dataSet.recordUnit})` : ''}` } : {};
  logger.info('task started', { task: dataSet.name, phase: 'records', source: describeSources(sources, dataSet.collection), total: expected, ...unit });
  ctx.progress?.taskStarted(dataSet.name, 'records', expected);

  const inFlight = new Set<Promise<void>>();
  let fatal: unknown = null;

  const fail = (id: string, err: unknown, context: Record<string, unknown>): void => {
    stats.failed++;
    report.record({ id, error: errorMessage(err), code: isMongo2pgError(err) ? err.code : 'SINK_WRITE', context: withReason(context, err) });
  };

  /** Dangling reference: skipped and reported with the flag, a reported failure in a dry run, else the run stops. */
  const integrity = (id: string, err: IntegrityError, context: Record<string, unknown>): void => {
    if (config.convert.skipIntegrityErrors) {
      stats.skipped++;
      report.record({ id, error: err.message, code: err.code, context: { ...context, skipped: true } });
    } else if (config.convert.dryRun) {
      fail(id, err, context);
    } else {
      report.record({ id, error: err.message, code: err.code, context });
      throw new IntegrityError(`${dataSet.name}: record ${id}: ${err.message}; the run stops here (set CONVERT_SKIP_INTEGRITY_ERRORS=true to skip and report such records)`, { cause: err, context: { dataSet: dataSet.name, recordId: id } });
    }
  };

  const remember = (items: readonly Prepared[]): void => {
    if (!dataSet.provides) return;
    for (const item of items) if (item.key !== undefined) known.add(dataSet.provides.kind, item.key);
  };

  const processBatch = async (docs: Document[], source: SourceCollection, tctx: TransformContext, batchNo: number): Promise<void> => {
    const context = { collection: source.collection, batch: batchNo };
    const prepared: Prepared[] = [];
    for (const doc of docs) {
      const id = dataSet.idOf(doc);
      if (source.orphan) {
        integrity(id, orphanCollectionError(source.collection), context);
        continue;
      }
      let output: TableRows[];
      try {
        output = dataSet.transform(doc, tctx);
      } catch (err) {
        fail(id, err, context);
        continue;
      }
      const dangling = dataSet.references ? checkReferences(dataSet.references(doc, tctx), known) : null;
      if (dangling) {
        integrity(id, dangling, context);
        continue;
      }
      prepared.push({ id, output, key: dataSet.provides?.key(doc, tctx) });
    }
    if (config.convert.dryRun) {
      stats.successful += prepared.length;
      remember(prepared);
      return;
    }
    await processPrepared(prepared, context);
    await report.flush();
  };

  const processPrepared = async (prepared: Prepared[], context: Record<string, unknown>): Promise<void> => {
    const outcome = await writeBatch(ctx, dataSet, prepared, mode).catch((err: unknown) => err);
    if (!(outcome instanceof Error)) {
      stats.successful += (outcome as { inserted: number }).inserted;
      stats.skipped += (outcome as { existing: number }).existing;
      remember(prepared);
      return;
    }
    // Isolate the failing documents: each one in its own transaction.
    for (const item of prepared) {
      try {
        const r = await writeBatch(ctx, dataSet, [item], mode);
        stats.successful += r.inserted;
        stats.skipped += r.existing;
        remember([item]);
      } catch (err) {
        if (err instanceof IntegrityError) integrity(item.id, err, context);
        else fail(item.id, err, context);
      }
    }
  };

  let documents = 0;
  try {
    let batchNo = 0;
    for (const source of sources) {
      const tctx: TransformContext = { ...(source.organizationId ? { organizationId: source.organizationId } : {}), ...(source.environmentId ? { environmentId: source.environmentId } : {}) };
      const cursor = decodeChecked(db.collection(source.collection).find(filter, { sort: { _id: 1 }, batchSize: config.convert.batchSize, raw: true }), source.collection);
      try {
        let batch: Document[] = [];
        for await (const doc of cursor) {
          signal.throwIfAborted();
          if (fatal) throw fatal;
          documents++;
          const records = dataSet.explode ? dataSet.explode(doc) : [doc];
          stats.total += records.length;
          batch.push(...records);
          if (batch.length >= config.convert.batchSize) {
            await schedule(processBatch(batch, source, tctx, ++batchNo));
            batch = [];
          }
        }
        if (batch.length > 0) await schedule(processBatch(batch, source, tctx, ++batchNo));
      } finally {
        await cursor.close();
      }
    }
    await Promise.all(inFlight);
    if (fatal) throw fatal;
  } finally {
    await Promise.allSettled(inFlight);
    await report.close();
    stats.durationMs = Date.now() - started;
    if (report.summary) stats.report = report.summary;
    if (dataSet.explode) {
      // One document may hold several records: the statistics say how many documents they came from.
      stats.sourceDocuments = documents;
      if (dataSet.recordUnit) stats.recordUnit = dataSet.recordUnit;
      if (dataSet.documentsOf) stats.documentsOf = dataSet.documentsOf;
    }
    ctx.progress?.taskFinished(stats);
  }
  return stats;

  async function schedule(work: Promise<void>): Promise<void> {
    const tracked = work
      .catch((err: unknown) => {
        fatal ??= err;
      })
      .finally(() => {
        inFlight.delete(tracked);
        ctx.progress?.taskProgress(dataSet.name, stats);
      });
    inFlight.add(tracked);
    if (inFlight.size >= config.convert.workers) await Promise.race(inFlight);
  }
}

/** Writes prepared rows of one batch in one transaction. */
async function writeBatch(ctx: EngineContext, dataSet: DataSet, prepared: Prepared[], mode: InsertMode): Promise<{ inserted: number; existing: number }> {
  const client: PoolClient = await checkout(ctx.pool);
  try {
    await client.query('BEGIN');
    let inserted = 0;
    let existing = 0;
    for (const spec of dataSet.tables) {
      const rows = prepared.flatMap((p) => p.output.filter((o) => o.table === spec.table).flatMap((o) => o.rows));
      if (rows.length === 0) continue;
      const n = await insertRows(client, spec, rows, mode);
      // The first table is the data set's own; its rows count records.
      if (spec === dataSet.tables[0]) {
        inserted += n;
        existing += rows.length - n;
      }
    }
    await client.query('COMMIT');
    return { inserted, existing };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    const code = (err as { code?: string }).code;
    if (code === '23503') throw new IntegrityError(`references a record that does not exist: ${errorMessage(err)}`, { cause: err, context: { dataSet: dataSet.name } });
    if (isMongo2pgError(err)) throw err;
    throw new SinkError('SINK_WRITE', errorMessage(err), { cause: err, context: { dataSet: dataSet.name } });
  } finally {
    client.release();
  }
}
