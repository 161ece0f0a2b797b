/**
 * Bulk engine: MongoDB cursor (CONVERT_BULK_READ_SIZE per batch, ascending _id) → pure transform →
 * COPY FROM STDIN, committed in chunks of CONVERT_BULK_WRITE_SIZE documents.
 *
 * Resume: each chunk's transaction also advances the data set's `_id` watermark in
 * mongo2pg.bulk_progress, so a killed run restarts exactly after the last committed document —
 * no duplicates, no gaps. A chunk whose COPY fails on a row is redone document by document under
 * savepoints, so only the bad documents fail. Connection-level failures (source or target) roll
 * the chunk back and resume from the watermark.
 */
import type { Document, FindCursor } from 'mongodb';
import { BSON } from 'mongodb';
import { escapeIdentifier } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SinkError, errorMessage, isMongo2pgError } from '../errors.js';
import type { DataSet, PgValue, SourceCollection, TableSpec, TransformContext } from '../datasets/types.js';
import { ErrorReport, type FailedRecord } from '../report/error-report.js';
import type { DataSetStats } from '../report/stats.js';
import type { PoolClient } from '../sink/postgres.js';
import { sleep } from '../util/retry.js';
import type { EngineContext } from './context.js';
import { copyLine } from './copy-text.js';
import { insertRows } from './insert.js';
import { sourceCollections } from './scopes.js';

/** Child-table rows buffered per chunk are capped so memory stays flat for wide documents. */
const CHILD_BUFFER_LIMIT_BYTES = 32 * 1024 * 1024;
/** Lines are handed to the COPY stream in blocks of about this size. */
const WRITE_BLOCK_BYTES = 256 * 1024;
const TRANSIENT_RETRIES = 10;

export const PROGRESS_TABLE = 'mongo2pg.bulk_progress';

interface Progress {
  lastId: unknown;
  done: boolean;
  migrated: number;
  failed: number;
  skipped: number;
}

export async function ensureProgressTable(client: Pick<PoolClient, 'query'>): Promise<void> {
  await client.query('CREATE SCHEMA IF NOT EXISTS mongo2pg');
  await client.query(`CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (
    data_set   text NOT NULL,
    source     text NOT NULL,
    last_id    jsonb,
    done       boolean NOT NULL DEFAULT false,
    migrated   bigint NOT NULL DEFAULT 0,
    failed     bigint NOT NULL DEFAULT 0,
    skipped    bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (data_set, source)
  )`);
}

async function readProgress(client: Pick<PoolClient, 'query'>, dataSet: string, source: string): Promise<Progress> {
  const { rows } = await client.query<{ last_id: unknown; done: boolean; migrated: string; failed: string; skipped: string }>(
    `SELECT last_id, done, migrated, failed, skipped FROM ${PROGRESS_TABLE} WHERE data_set = $1 AND source = $2`,
    [dataSet, source],
  );
  const row = rows[0];
  if (!row) return { lastId: undefined, done: false, migrated: 0, failed: 0, skipped: 0 };
  return {
    lastId: row.last_id === null ? undefined : BSON.EJSON.deserialize(row.last_id as Document, { relaxed: false }).id,
    done: row.done,
    migrated: Number(row.migrated),
    failed: Number(row.failed),
    skipped: Number(row.skipped),
  };
}

async function writeProgress(client: PoolClient, dataSet: string, source: string, p: Progress): Promise<void> {
  const lastId = p.lastId === undefined ? null : JSON.stringify(BSON.EJSON.serialize({ id: p.lastId }, { relaxed: false }));
  await client.query(
    `INSERT INTO ${PROGRESS_TABLE} (data_set, source, last_id, done, migrated, failed, skipped, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())
     ON CONFLICT (data_set, source) DO UPDATE SET last_id = EXCLUDED.last_id, done = EXCLUDED.done,
       migrated = EXCLUDED.migrated, failed = EXCLUDED.failed, skipped = EXCLUDED.skipped, updated_at = now()`,
    [dataSet, source, lastId, p.done, p.migrated, p.failed, p.skipped],
  );
}

/** Errors about the data (bad value, constraint, too large) vs. the connection. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

export async function runBulkDataSet(ctx: EngineContext, dataSet: DataSet): Promise<DataSetStats> {
  const { config, db, logger } = ctx;
  const started = Date.now();
  const stats: DataSetStats = { name: dataSet.name, total: 0, successful: 0, failed: 0, skipped: 0, durationMs: 0 };
  const report = new ErrorReport(config.convert.workDir || process.cwd(), dataSet.name, ctx.redact.text);
  const sources = await sourceCollections(db, dataSet);
  const filter = dataSet.filter ?? {};
  let expected = 0;
  for (const s of sources) expected += await db.collection(s.collection).countDocuments(filter);
  logger.info('task started', { task: dataSet.name, phase: 'bulk', source: sources.map((s) => s.collection).join(',') || dataSet.collection, total: expected });
  ctx.progress?.taskStarted(dataSet.name, 'bulk', expected);
  if (!config.convert.dryRun) await ensureProgressTable(ctx.pool);
  try {
    for (const source of sources) {
      if (config.convert.dryRun) await dryRunSource(ctx, dataSet, source, filter, stats, report);
      else await loadSource(ctx, dataSet, source, filter, stats, report);
    }
  } finally {
    await report.close();
    stats.durationMs = Date.now() - started;
    ctx.progress?.taskFinished(stats);
  }
  return stats;
}

function transformContext(source: SourceCollection): TransformContext {
  return { ...(source.organizationId ? { organizationId: source.organizationId } : {}), ...(source.environmentId ? { environmentId: source.environmentId } : {}) };
}

async function dryRunSource(ctx: EngineContext, dataSet: DataSet, source: SourceCollection, filter: Document, stats: DataSetStats, report: ErrorReport): Promise<void> {
  const cursor = ctx.db.collection(source.collection).find(filter).sort({ _id: 1 }).batchSize(ctx.config.convert.bulkReadSize);
  const tctx = transformContext(source);
  try {
    for await (const doc of cursor) {
      ctx.signal.throwIfAborted();
      stats.total++;
      try {
        dataSet.transform(doc, tctx);
        stats.successful++;
      } catch (err) {
        stats.failed++;
        report.record({ id: dataSet.idOf(doc), error: errorMessage(err), code: isMongo2pgError(err) ? err.code : 'TRANSFORM', context: { collection: source.collection } });
      }
      if (stats.total % 10_000 === 0) ctx.progress?.taskProgress(dataSet.name, stats);
    }
  } finally {
    await cursor.close();
  }
}

async function loadSource(ctx: EngineContext, dataSet: DataSet, source: SourceCollection, filter: Document, stats: DataSetStats, report: ErrorReport): Promise<void> {
  const { config, logger, signal } = ctx;
  const key = source.collection;
  let progress = await readProgress(ctx.pool, dataSet.name, key);
  const countFrom = (p: Progress): void => {
    stats.successful += p.migrated;
    stats.failed += p.failed;
    stats.skipped += p.skipped;
    stats.total += p.migrated + p.failed + p.skipped;
  };
  if (progress.done) {
    countFrom(progress);
    logger.info('bulk source already complete, skipping', { task: dataSet.name, source: key, migrated: progress.migrated });
    return;
  }
  if (progress.lastId !== undefined) logger.info('resuming bulk source after last committed document', { task: dataSet.name, source: key, migrated: progress.migrated });
  const tctx = transformContext(source);
  let transientFailures = 0;

  while (!progress.done) {
    signal.throwIfAborted();
    const query = progress.lastId === undefined ? filter : { $and: [filter, { _id: { $gt: progress.lastId } }] };
    const cursor = ctx.db.collection(source.collection).find(query).sort({ _id: 1 }).batchSize(config.convert.bulkReadSize);
    let client: PoolClient | null = null;
    try {
      client = await ctx.pool.connect();
      // Loop over chunks on this cursor and connection until the source is exhausted.
      for (;;) {
        signal.throwIfAborted();
        const next = await loadChunk(client, cursor, ctx, dataSet, tctx, progress, key);
        progress = next.progress;
        for (const f of next.failures) report.record(f);
        transientFailures = 0;
        ctx.progress?.taskProgress(dataSet.name, { successful: stats.successful + progress.migrated, failed: stats.failed + progress.failed, skipped: stats.skipped + progress.skipped });
        if (progress.done) break;
      }
    } catch (err) {
      if (signal.aborted || isMongo2pgError(err) || ++transientFailures > TRANSIENT_RETRIES) throw err;
      logger.warn('bulk chunk interrupted by a connection error; resuming from the last committed document', { task: dataSet.name, source: key, attempt: transientFailures, error: errorMessage(err) });
      // The chunk was rolled back; the watermark in the database is authoritative.
      progress = await readProgressRetrying(ctx, dataSet.name, key);
      await sleep(Math.min(1000 * transientFailures, 5000), signal);
    } finally {
      await cursor.close().catch(() => undefined);
      client?.release(true);
    }
  }
  countFrom(progress);
}

async function readProgressRetrying(ctx: EngineContext, dataSet: string, source: string): Promise<Progress> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readProgress(ctx.pool, dataSet, source);
    } catch (err) {
      if (attempt >= TRANSIENT_RETRIES) throw err;
      await sleep(1000, ctx.signal);
    }
  }
}

interface ChunkResult {
  progress: Progress;
  failures: FailedRecord[];
}

/**
 * Reads up to CONVERT_BULK_WRITE_SIZE documents and commits them with the new watermark in one
 * transaction. Failures are returned, to be reported only once the chunk is committed.
 */
async function loadChunk(
  client: PoolClient,
  cursor: FindCursor<Document>,
  ctx: EngineContext,
  dataSet: DataSet,
  tctx: TransformContext,
  before: Progress,
  source: string,
): Promise<ChunkResult> {
  const { config } = ctx;
  const [mainSpec, ...childSpecs] = dataSet.tables as [TableSpec, ...TableSpec[]];
  const failures: FailedRecord[] = [];
  const childRows = new Map<string, PgValue[][]>(childSpecs.map((c) => [c.table, []]));
  const after: Progress = { ...before };
  let loaded = 0;
  let exhausted = false;
  let childBytes = 0;
  let block = '';

  await client.query('BEGIN');
  try {
    const copy = client.query(copyFrom(`COPY ${escapeIdentifier(mainSpec.table)} (${mainSpec.columns.map(escapeIdentifier).join(', ')}) FROM STDIN`));
    const copyDone = new Promise<void>((resolve, reject) => {
      copy.on('finish', resolve);
      copy.on('error', reject);
    });
    // A COPY error surfaces on write or on finish; remember it so the loop stops feeding.
    let copyError: unknown = null;
    copyDone.catch((err: unknown) => {
      copyError = err;
    });
    const flushBlock = async (): Promise<void> => {
      if (block === '') return;
      const ok = copy.write(block);
      block = '';
      if (!ok) await drained(copy);
    };

    while (loaded + failures.length < config.convert.bulkWriteSize && childBytes < CHILD_BUFFER_LIMIT_BYTES && copyError === null) {
      const doc = await cursor.next();
      if (doc === null) {
        exhausted = true;
        break;
      }
      after.lastId = doc._id;
      let output;
      try {
        output = dataSet.transform(doc, tctx);
      } catch (err) {
        failures.push({ id: dataSet.idOf(doc), error: errorMessage(err), code: isMongo2pgError(err) ? err.code : 'TRANSFORM', context: { collection: source } });
        continue;
      }
      for (const part of output) {
        if (part.table === mainSpec.table) {
          for (const row of part.rows) block += copyLine(row);
          continue;
        }
        const buffer = childRows.get(part.table);
        if (!buffer) throw new SinkError('SINK_WRITE', `data set ${dataSet.name} produced rows for undeclared table ${part.table}`);
        for (const row of part.rows) {
          buffer.push(row);
          childBytes += row.reduce<number>((n, v) => n + (typeof v === 'string' ? v.length : 8), 0);
        }
      }
      loaded++;
      if (block.length >= WRITE_BLOCK_BYTES) await flushBlock();
    }
    if (copyError === null) await flushBlock();
    copy.end();
    await copyDone;
    for (const spec of childSpecs) {
      const rows = childRows.get(spec.table) ?? [];
      if (rows.length > 0) await copyRows(client, spec, rows);
    }
    after.migrated += loaded;
    after.failed += failures.length;
    after.done = exhausted;
    await writeProgress(client, dataSet.name, source, after);
    await client.query('COMMIT');
    return { progress: after, failures };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (!isDataError(err)) throw err;
    // A row was refused: redo this chunk's documents one by one so only the bad ones fail.
    return await redoChunkCarefully(client, ctx, dataSet, tctx, before, { ...after, done: exhausted }, source, err);
  }
}

function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
  });
}

async function copyRows(client: PoolClient, spec: TableSpec, rows: PgValue[][]): Promise<void> {
  const copy = client.query(copyFrom(`COPY ${escapeIdentifier(spec.table)} (${spec.columns.map(escapeIdentifier).join(', ')}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve);
    copy.on('error', reject);
  });
  let block = '';
  for (const row of rows) {
    block += copyLine(row);
    if (block.length >= WRITE_BLOCK_BYTES) {
      if (!copy.write(block)) await drained(copy);
      block = '';
    }
  }
  copy.end(block);
  await done;
}

/**
 * Re-reads the chunk's documents (after the previous watermark, up to the new one) and writes each
 * under its own savepoint; documents PostgreSQL refuses are reported, the rest land.
 */
async function redoChunkCarefully(
  client: PoolClient,
  ctx: EngineContext,
  dataSet: DataSet,
  tctx: TransformContext,
  before: Progress,
  after: Progress,
  source: string,
  cause: unknown,
): Promise<ChunkResult> {
  ctx.logger.warn('COPY refused a row; writing this chunk document by document', { task: dataSet.name, source, error: errorMessage(cause) });
  const range: Document = { _id: { ...(before.lastId === undefined ? {} : { $gt: before.lastId }), $lte: after.lastId } };
  const cursor = ctx.db.collection(source).find({ $and: [dataSet.filter ?? {}, range] }).sort({ _id: 1 }).batchSize(ctx.config.convert.bulkReadSize);
  const failures: FailedRecord[] = [];
  let migrated = 0;
  await client.query('BEGIN');
  try {
    for await (const doc of cursor) {
      const id = dataSet.idOf(doc);
      let output;
      try {
        output = dataSet.transform(doc, tctx);
      } catch (err) {
        failures.push({ id, error: errorMessage(err), code: isMongo2pgError(err) ? err.code : 'TRANSFORM', context: { collection: source } });
        continue;
      }
      await client.query('SAVEPOINT doc');
      try {
        for (const spec of dataSet.tables) {
          const rows = output.filter((o) => o.table === spec.table).flatMap((o) => o.rows);
          if (rows.length > 0) await insertRows(client, spec, rows, 'strict');
        }
        await client.query('RELEASE SAVEPOINT doc');
        migrated++;
      } catch (err) {
        await client.query('ROLLBACK TO SAVEPOINT doc');
        if (!isDataError(err)) throw err;
        failures.push({ id, error: errorMessage(err), code: 'SINK_WRITE', context: { collection: source } });
      }
    }
    const progress: Progress = { ...after, migrated: before.migrated + migrated, failed: before.failed + failures.length };
    await writeProgress(client, dataSet.name, source, progress);
    await client.query('COMMIT');
    return { progress, failures };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw isDataError(err) ? new SinkError('SINK_WRITE', errorMessage(err), { cause: err }) : err;
  } finally {
    await cursor.close();
  }
}
