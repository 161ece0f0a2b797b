/**
 * One chunk of the bulk phase: up to CONVERT_BULK_WRITE_SIZE documents read raw from the cursor,
 * decoded and transformed in batches by the batch runner (on transform threads), their COPY text
 * streamed in cursor order (with backpressure: the cursor is only read while batches are wanted
 * and the COPY stream accepts data), committed together with the range's new watermark.
 */
import type { Document } from 'mongodb';
import { escapeIdentifier } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SinkError, errorMessage } from '../errors.js';
import type { DataSet, TableSpec, TransformContext } from '../datasets/types.js';
import type { FailedRecord } from '../report/error-report.js';
import type { PoolClient } from '../sink/postgres.js';
import { decodeSourceDocument, readRawBatch, type SourceCursor } from '../source/source-db.js';
import { addCounts, prepare, type BatchJob, type BatchOutput, type IntegrityCheck } from './bulk-batch.js';
import { writeRange, type RangeProgress } from './bulk-progress.js';
import type { IndexKeys } from './index-keys.js';
import { DIGESTS_TABLE, DIGEST_COLUMNS } from './record-digests.js';
import { idCondition, isWholeBracket, withIdCondition } from './id-brackets.js';
import type { EngineContext } from './context.js';
import { insertRows } from './insert.js';
import { decodeChecked, isDecodeError } from './source-read.js';
import type { BatchRunner } from './transform-pool.js';

/** Child-table text buffered per chunk is capped so memory stays flat for wide documents. */
const CHILD_BUFFER_LIMIT_BYTES = 32 * 1024 * 1024;
/** A batch handed to a transform thread: this many documents or about this many bytes. */
const BATCH_DOCUMENTS = 1000;
const BATCH_BYTES = 1024 * 1024;

export interface ChunkResult {
  progress: RangeProgress;
  failures: FailedRecord[];
}

/** Errors about the data (bad value, constraint, too large) as opposed to the connection. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

/** mongo2pg.record_digests as a COPY target (schema-qualified, so not one identifier). */
const DIGESTS_SPEC: TableSpec = { table: DIGESTS_TABLE, columns: DIGEST_COLUMNS, conflictKey: ['data_set', 'collection', 'record_id'] };

/** A table name as SQL: each part quoted, so a schema-qualified name (mongo2pg.x) stays qualified. */
function tableName(table: string): string {
  return table.split('.').map(escapeIdentifier).join('.');
}

function copySql(spec: TableSpec): string {
  return `COPY ${tableName(spec.table)} (${spec.columns.map(escapeIdentifier).join(', ')}) FROM STDIN`;
}

function waitForDrain(stream: NodeJS.WritableStream): Promise<void> {
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

/** A transformed batch and the `_id` of its last document (the watermark once it commits). */
export interface FedBatch {
  output: BatchOutput;
  lastId: unknown;
}

/**
 * Raw batches of one cursor through the batch runner, results in cursor order, with at most the
 * runner's depth in flight and at most `quota` documents taken from the cursor.
 */
export class BatchFeed {
  /** The cursor has nothing more. */
  exhausted = false;
  private taken = 0;
  private readonly inflight: Array<{ result: Promise<BatchOutput>; lastId: unknown }> = [];

  constructor(
    private readonly cursor: SourceCursor,
    private readonly runner: BatchRunner,
    private readonly job: Omit<BatchJob, 'bytes'>,
    private readonly quota: number,
  ) {}

  /** The next batch in order; null once nothing is in flight and no more is wanted or left. */
  async next(wantMore = true): Promise<FedBatch | null> {
    while (wantMore && !this.exhausted && this.taken < this.quota && this.inflight.length < Math.max(1, this.runner.depth)) {
      const batch = await readRawBatch(this.cursor, Math.min(BATCH_DOCUMENTS, this.quota - this.taken), BATCH_BYTES);
      if (batch === null) {
        this.exhausted = true;
        break;
      }
      this.taken += batch.count;
      // Read before the bytes move to a thread. A last document that cannot be decoded makes
      // the batch fail with the exact error, naming the document before it.
      let lastId: unknown;
      try {
        lastId = decodeSourceDocument(batch.bytes, batch.lastOffset)._id;
      } catch (err) {
        if (!isDecodeError(err)) throw err;
      }
      const result = this.runner.run({ ...this.job, bytes: batch.bytes });
      // Awaited in order below; an abandoned feed must not leave an unhandled rejection.
      result.catch(() => undefined);
      this.inflight.push({ result, lastId });
    }
    const head = this.inflight.shift();
    if (!head) return null;
    return { output: await head.result, lastId: head.lastId };
  }
}

/**
 * Reads, transforms and commits one chunk. Its failed and skipped records are handed to
 * `reportBeforeCommit` with the chunk's own client, to be stored in the chunk's transaction
 * (mongo2pg.failed_records), before the COMMIT that counts them in the watermark: a record is
 * counted and stored together or not at all, whenever the run is killed, and a chunk rolled back
 * (the connection lost at COMMIT) takes its records with it and stores them again when redone.
 * They are also returned.
 */
export type ReportBeforeCommit = (client: PoolClient, records: readonly FailedRecord[]) => Promise<void>;

export interface ChunkInput {
  cursor: SourceCursor;
  runner: BatchRunner;
  job: Omit<BatchJob, 'bytes'>;
  /** Told the number of documents of each batch read and transformed into the running chunk. */
  onBatch?: (documents: number) => void;
}

export async function loadChunk(
  client: PoolClient,
  input: ChunkInput,
  ctx: EngineContext,
  dataSet: DataSet,
  tctx: TransformContext,
  before: RangeProgress,
  integrity: IntegrityCheck,
  reportBeforeCommit: ReportBeforeCommit,
): Promise<ChunkResult> {
  const [mainSpec, ...childSpecs] = dataSet.tables as [TableSpec, ...TableSpec[]];
  const failures: FailedRecord[] = [];
  const skips: FailedRecord[] = [];
  const childText: Uint8Array[][] = childSpecs.map(() => []);
  const digestText: Uint8Array[] = [];
  const counters = new Map<string, number>();
  const after: RangeProgress = { ...before };
  let loaded = 0;
  let childBytes = 0;

  await client.query('BEGIN');
  let copy: ReturnType<typeof copyFrom> | null = null;
  let copyDone: Promise<void> = Promise.resolve();
  try {
    const stream = client.query(copyFrom(copySql(mainSpec)));
    copy = stream;
    let copyError: unknown = null;
    copyDone = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', (err) => {
        copyError = err;
        reject(err);
      });
    });
    copyDone.catch(() => undefined);

    // The catch-all bracket has no sound watermark inside it, so it is one chunk (id-brackets.ts).
    const feed = new BatchFeed(input.cursor, input.runner, input.job, isWholeBracket(before.bracket) ? Number.POSITIVE_INFINITY : ctx.config.convert.bulkWriteSize);
    for (let fed = await feed.next(); fed !== null; fed = await feed.next(copyError === null && childBytes < CHILD_BUFFER_LIMIT_BYTES)) {
      ctx.signal.throwIfAborted();
      const { output } = fed;
      input.onBatch?.(output.documents);
      after.lastId = fed.lastId;
      loaded += output.loaded;
      failures.push(...output.failures);
      skips.push(...output.skips);
      addCounts(counters, output.counters);
      const [main, ...children] = output.text;
      children.forEach((text, i) => {
        if (text.byteLength === 0) return;
        childText[i]?.push(text);
        childBytes += text.byteLength;
      });
      if (output.digests.byteLength > 0) {
        digestText.push(output.digests);
        childBytes += output.digests.byteLength;
      }
      if (copyError === null && main !== undefined && main.byteLength > 0 && !stream.write(Buffer.from(main.buffer, main.byteOffset, main.byteLength))) await waitForDrain(stream);
    }
    if (feed.exhausted) after.done = true;
    stream.end();
    await copyDone;
    for (const [i, spec] of childSpecs.entries()) {
      const texts = childText[i] ?? [];
      if (texts.length > 0) await copyText(client, spec, texts);
    }
    if (digestText.length > 0) await copyText(client, DIGESTS_SPEC, digestText);
    after.migrated += loaded;
    after.failed += failures.length;
    after.skipped += skips.length;
    await writeRange(client, dataSet.name, after);
    if (failures.length + skips.length > 0) await reportBeforeCommit(client, [...failures, ...skips]);
    await client.query('COMMIT');
    addCounts(dataSet.counters, counters);
    return { progress: after, failures: [...failures, ...skips] };
  } catch (err) {
    // An error raised here while the COPY is still open (a source error, an integrity abort)
    // must end the COPY first (CopyFail), or the ROLLBACK would queue behind it forever.
    if (copy && !copy.writableFinished && !copy.destroyed) {
      copy.destroy(err instanceof Error ? err : new Error(String(err)));
      await copyDone.catch(() => undefined);
    }
    await client.query('ROLLBACK').catch(() => undefined);
    if (!isDataError(err)) throw err;
    return await redoChunkCarefully(client, input, ctx, dataSet, tctx, before, after, integrity, err, reportBeforeCommit);
  }
}

async function copyText(client: PoolClient, spec: TableSpec, texts: readonly Uint8Array[]): Promise<void> {
  const copy = client.query(copyFrom(copySql(spec)));
  const done = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve);
    copy.on('error', reject);
  });
  for (const text of texts) {
    if (!copy.write(Buffer.from(text.buffer, text.byteOffset, text.byteLength))) await waitForDrain(copy);
  }
  copy.end();
  await done;
}

/**
 * Loads the chunk again (after the previous watermark, up to the new one) in one transaction, each
 * batch's COPY under its own savepoint; only a batch PostgreSQL refuses is written document by
 * document, so a few bad rows in a large chunk cost a few batches, not the whole chunk, of
 * single-row statements. Documents PostgreSQL refuses are reported, the rest land.
 */
async function redoChunkCarefully(
  client: PoolClient,
  input: ChunkInput,
  ctx: EngineContext,
  dataSet: DataSet,
  tctx: TransformContext,
  before: RangeProgress,
  after: RangeProgress,
  integrity: IntegrityCheck,
  cause: unknown,
  reportBeforeCommit: ReportBeforeCommit,
): Promise<ChunkResult> {
  ctx.logger.warn('COPY refused a row; loading this chunk again batch by batch', { task: dataSet.name, source: before.source, error: errorMessage(cause) });
  const lower = before.lastId !== undefined ? before.lastId : before.lo;
  // Bounds of the range's own `_id` type: a bound of another type would match nothing (D1).
  const filter = (upper: unknown, from: unknown): Document => withIdCondition(dataSet.filter ?? {}, idCondition(before.bracket, from, upper));
  const { bulkReadSize } = ctx.config.convert;
  const whole = isWholeBracket(before.bracket);
  const cursor = ctx.db.collection(before.collection).find(filter(after.lastId, lower), { sort: { _id: 1 }, batchSize: bulkReadSize, raw: true });
  const failures: FailedRecord[] = [];
  const skips: FailedRecord[] = [];
  const counters = new Map<string, number>();
  let migrated = 0;
  await client.query('BEGIN');
  try {
    if (whole) {
      // Mixed exotic `_id` types: no bounds to re-read a batch by, so every document alone.
      const docs = ctx.db.collection(before.collection).find(filter(undefined, undefined), { sort: { _id: 1 }, batchSize: bulkReadSize });
      try {
        migrated += await documentByDocument(client, docs, dataSet, tctx, integrity, before.collection, failures, skips, input.job.indexKeys);
      } finally {
        await docs.close();
      }
    }
    const feed = new BatchFeed(cursor, input.runner, input.job, whole ? 0 : Number.POSITIVE_INFINITY);
    let batchLower = lower;
    for (let fed = await feed.next(); fed !== null; fed = await feed.next()) {
      const { output } = fed;
      await client.query('SAVEPOINT batch');
      try {
        for (const [i, spec] of dataSet.tables.entries()) {
          const text = output.text[i];
          if (text !== undefined && text.byteLength > 0) await copyText(client, spec, [text]);
        }
        if (output.digests.byteLength > 0) await copyText(client, DIGESTS_SPEC, [output.digests]);
        await client.query('RELEASE SAVEPOINT batch');
        migrated += output.loaded;
        failures.push(...output.failures);
        skips.push(...output.skips);
        addCounts(counters, output.counters);
      } catch (err) {
        await client.query('ROLLBACK TO SAVEPOINT batch');
        if (!isDataError(err)) throw err;
        ctx.logger.warn('COPY refused a row of a batch; writing its documents one by one', { task: dataSet.name, source: before.source, documents: output.documents, error: errorMessage(err) });
        const docs = decodeChecked(ctx.db.collection(before.collection).find(filter(fed.lastId, batchLower), { sort: { _id: 1 }, batchSize: bulkReadSize, raw: true }), before.collection);
        try {
          migrated += await documentByDocument(client, docs, dataSet, tctx, integrity, before.collection, failures, skips, input.job.indexKeys);
        } finally {
          await docs.close();
        }
      }
      batchLower = fed.lastId;
    }
    const progress: RangeProgress = { ...after, migrated: before.migrated + migrated, failed: before.failed + failures.length, skipped: before.skipped + skips.length };
    await writeRange(client, dataSet.name, progress);
    if (failures.length + skips.length > 0) await reportBeforeCommit(client, [...failures, ...skips]);
    await client.query('COMMIT');
    addCounts(dataSet.counters, counters);
    return { progress, failures: [...failures, ...skips] };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw isDataError(err) ? new SinkError('SINK_WRITE', errorMessage(err), { cause: err }) : err;
  } finally {
    await cursor.close();
  }
}

/** Each document under its own savepoint, inside the caller's transaction: returns how many landed. */
async function documentByDocument(client: PoolClient, cursor: AsyncIterable<Document>, dataSet: DataSet, tctx: TransformContext, integrity: IntegrityCheck, collection: string, failures: FailedRecord[], skips: FailedRecord[], indexKeys?: IndexKeys): Promise<number> {
  let migrated = 0;
  for await (const doc of cursor) {
    const output = prepare(dataSet, doc, tctx, integrity, { collection }, failures, skips, indexKeys);
    if (output === null) continue;
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
      failures.push({ id: dataSet.idOf(doc), error: errorMessage(err), code: 'SINK_WRITE', context: { collection } });
    }
  }
  return migrated;
}
