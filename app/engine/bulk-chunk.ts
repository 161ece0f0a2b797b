/**
 * One chunk of the bulk phase: up to CONVERT_BULK_WRITE_SIZE documents read from the cursor,
 * transformed and streamed through COPY (with backpressure: the cursor is only read while the COPY
 * stream accepts data), committed together with the range's new watermark.
 */
import type { Document } from 'mongodb';
import { escapeIdentifier } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SinkError, errorMessage, isMongo2pgError } from '../errors.js';
import type { DataSet, PgValue, SourceCollection, TableSpec, TransformContext, TransformOutput } from '../datasets/types.js';
import type { FailedRecord } from '../report/error-report.js';
import type { PoolClient } from '../sink/postgres.js';
import type { SourceCursor } from '../source/source-db.js';
import { writeRange, type RangeProgress } from './bulk-progress.js';
import type { EngineContext } from './context.js';
import { copyLine } from './copy-text.js';
import { insertRows } from './insert.js';

/** Child-table rows buffered per chunk are capped so memory stays flat for wide documents. */
const CHILD_BUFFER_LIMIT_BYTES = 32 * 1024 * 1024;
/** Lines are handed to the COPY stream in blocks of about this size. */
const WRITE_BLOCK_BYTES = 256 * 1024;

export interface ChunkResult {
  progress: RangeProgress;
  failures: FailedRecord[];
}

/**
 * Reference check of one document: null when it may be loaded, else the record to report and
 * whether it counts as skipped (CONVERT_SKIP_INTEGRITY_ERRORS) or failed (dry run). Without
 * either, the check throws and the run stops.
 */
export type IntegrityCheck = (doc: Document) => { record: FailedRecord; skipped: boolean } | null;

export function transformContext(source: SourceCollection): TransformContext {
  return { ...(source.organizationId ? { organizationId: source.organizationId } : {}), ...(source.environmentId ? { environmentId: source.environmentId } : {}) };
}

/** Errors about the data (bad value, constraint, too large) as opposed to the connection. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

function copySql(spec: TableSpec): string {
  return `COPY ${escapeIdentifier(spec.table)} (${spec.columns.map(escapeIdentifier).join(', ')}) FROM STDIN`;
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

/**
 * Reads, transforms and commits one chunk. Its failed and skipped records are handed to
 * `reportBeforeCommit` (which must make them durable) before the COMMIT that counts them in the
 * watermark: reported after it, a kill in between left records counted as failed but named in no
 * report (found by the SIGKILL trials). A chunk rolled back after that (the connection lost at
 * COMMIT) is redone and reports its records again; readers of the report take one outcome per
 * record. They are also returned.
 */
export type ReportBeforeCommit = (records: readonly FailedRecord[]) => Promise<void>;

export async function loadChunk(
  client: PoolClient,
  cursor: SourceCursor,
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
  const childRows = new Map<string, PgValue[][]>(childSpecs.map((c) => [c.table, []]));
  const after: RangeProgress = { ...before };
  let loaded = 0;
  let childBytes = 0;
  let block = '';

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

    while (loaded + failures.length + skips.length < ctx.config.convert.bulkWriteSize && childBytes < CHILD_BUFFER_LIMIT_BYTES && copyError === null) {
      const doc = await cursor.next();
      if (doc === null) {
        after.done = true;
        break;
      }
      after.lastId = doc._id;
      const output = prepare(dataSet, doc, tctx, integrity, before.collection, failures, skips);
      if (output === null) continue;
      for (const part of output) {
        if (part.table === mainSpec.table) {
          for (const row of part.rows) block += copyLine(row);
          continue;
        }
        const buffer = childRows.get(part.table);
        if (!buffer) throw new SinkError('SINK_WRITE', `data set ${dataSet.name} produced rows for undeclared table ${part.table}`);
        for (const row of part.rows) {
          buffer.push(row);
          for (const v of row) childBytes += typeof v === 'string' ? v.length : 8;
        }
      }
      loaded++;
      if (block.length >= WRITE_BLOCK_BYTES) {
        const ok = stream.write(block);
        block = '';
        if (!ok) await waitForDrain(stream);
      }
    }
    stream.end(copyError === null && block !== '' ? block : undefined);
    await copyDone;
    for (const spec of childSpecs) {
      const rows = childRows.get(spec.table) ?? [];
      if (rows.length > 0) await copyRows(client, spec, rows);
    }
    after.migrated += loaded;
    after.failed += failures.length;
    after.skipped += skips.length;
    await writeRange(client, dataSet.name, after);
    if (failures.length + skips.length > 0) await reportBeforeCommit([...failures, ...skips]);
    await client.query('COMMIT');
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
    return await redoChunkCarefully(client, ctx, dataSet, tctx, before, after, integrity, err, reportBeforeCommit);
  }
}

/** Transform and reference check of one document: its rows, or null after noting why not. */
function prepare(dataSet: DataSet, doc: Document, tctx: TransformContext, integrity: IntegrityCheck, collection: string, failures: FailedRecord[], skips: FailedRecord[]): TransformOutput | null {
  let output: TransformOutput;
  try {
    output = dataSet.transform(doc, tctx);
  } catch (err) {
    failures.push(failure(dataSet, doc, err, collection));
    return null;
  }
  const dangling = integrity(doc);
  if (dangling) {
    (dangling.skipped ? skips : failures).push(dangling.record);
    return null;
  }
  return output;
}

function failure(dataSet: DataSet, doc: Document, err: unknown, collection: string): FailedRecord {
  return { id: dataSet.idOf(doc), error: errorMessage(err), code: isMongo2pgError(err) ? err.code : 'TRANSFORM', context: { collection } };
}

async function copyRows(client: PoolClient, spec: TableSpec, rows: PgValue[][]): Promise<void> {
  const copy = client.query(copyFrom(copySql(spec)));
  const done = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve);
    copy.on('error', reject);
  });
  let block = '';
  for (const row of rows) {
    block += copyLine(row);
    if (block.length >= WRITE_BLOCK_BYTES) {
      const ok = copy.write(block);
      block = '';
      if (!ok) await waitForDrain(copy);
    }
  }
  copy.end(block === '' ? undefined : block);
  await done;
}

/**
 * Re-reads the chunk's documents (after the previous watermark, up to the new one) and writes each
 * under its own savepoint: documents PostgreSQL refuses are reported, the rest land.
 */
async function redoChunkCarefully(
  client: PoolClient,
  ctx: EngineContext,
  dataSet: DataSet,
  tctx: TransformContext,
  before: RangeProgress,
  after: RangeProgress,
  integrity: IntegrityCheck,
  cause: unknown,
  reportBeforeCommit: ReportBeforeCommit,
): Promise<ChunkResult> {
  ctx.logger.warn('COPY refused a row; writing this chunk document by document', { task: dataSet.name, source: before.source, error: errorMessage(cause) });
  const lower = before.lastId !== undefined ? before.lastId : before.lo;
  const idRange: Document = { $lte: after.lastId, ...(lower === undefined ? {} : { $gt: lower }) };
  const cursor = ctx.db.collection(before.collection).find({ $and: [dataSet.filter ?? {}, { _id: idRange }] }, { sort: { _id: 1 }, batchSize: ctx.config.convert.bulkReadSize });
  const failures: FailedRecord[] = [];
  const skips: FailedRecord[] = [];
  let migrated = 0;
  await client.query('BEGIN');
  try {
    for await (const doc of cursor) {
      const output = prepare(dataSet, doc, tctx, integrity, before.collection, failures, skips);
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
        failures.push({ id: dataSet.idOf(doc), error: errorMessage(err), code: 'SINK_WRITE', context: { collection: before.collection } });
      }
    }
    const progress: RangeProgress = { ...after, migrated: before.migrated + migrated, failed: before.failed + failures.length, skipped: before.skipped + skips.length };
    await writeRange(client, dataSet.name, progress);
    if (failures.length + skips.length > 0) await reportBeforeCommit([...failures, ...skips]);
    await client.query('COMMIT');
    return { progress, failures: [...failures, ...skips] };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw isDataError(err) ? new SinkError('SINK_WRITE', errorMessage(err), { cause: err }) : err;
  } finally {
    await cursor.close();
  }
}
