/**
 * Catch-up of the bulk data sets at cutover (issue 17): after a pre-copy `migrate` while the
 * application still ran, brings each bulk table level with the source, touching only what changed.
 *
 * Append-only data sets (usage records, audit log events, application audit events, events,
 * reporting data): documents are inserted and deleted (retention), never changed. The source's
 * `_id`s (projection on `_id` only, ascending) and the target's keys (ascending, byte order) are
 * merged in one pass: a source `_id` the target lacks is inserted (wherever it lies: past the
 * pre-copy's watermark, created out of order by a client with a slow clock, or older than any
 * look-back window), a target key the source lacks is deleted, the rest is unchanged. Finding
 * retention deletions needs every source `_id` in any case (MongoDB cannot digest a range
 * server-side), so a watermark and look-back window would save no reading; the merge also needs no
 * window setting and misses no `_id`, whatever its age.
 *
 * Mutable data sets (test workflow executions): the pre-copy recorded a digest of each document's
 * raw BSON (app/engine/record-digests.ts). Catch-up reads the source again and re-migrates a
 * document whose digest differs or that has none (new, changed, running at pre-copy and finished
 * since) with all its child rows replaced in one transaction; target executions of the scope no
 * longer in the source are deleted with their children.
 *
 * Every change is committed in batches, each in its own transaction: a run killed or aborted
 * part way leaves the target consistent, and a re-run finds what is left and converges.
 * A dry run (ctx.dryRun) reads, compares and transforms the same way and writes nothing.
 */
import { createHash } from 'node:crypto';
import type { Document } from 'mongodb';
import { escapeIdentifier } from 'pg';
import type { DataSet, SourceCollection, TableSpec, TransformOutput } from '../datasets/types.js';
import { errorMessage } from '../errors.js';
import { integrityCheck, prepare, transformContext, type IntegrityCheck } from '../engine/bulk-batch.js';
import { isDataError } from '../engine/bulk-chunk.js';
import { withIdCondition } from '../engine/id-brackets.js';
import { btreeIndexKeys, type IndexKeys } from '../engine/index-keys.js';
import { insertRows } from '../engine/insert.js';
import { DIGESTS_TABLE, documentDigest, ensureDigestTable, readDigests } from '../engine/record-digests.js';
import { describeSources, sourceCollections } from '../engine/scopes.js';
import { decodeChecked } from '../engine/source-read.js';
import type { FailedRecord } from '../report/error-report.js';
import { FAILURES_TABLE, ensureFailureTable, storeFailures } from '../report/failure-records.js';
import { checkout, type PoolClient } from '../sink/postgres.js';
import { ObjectId } from '../source/bson.js';
import { decodeSourceDocument } from '../source/source-db.js';
import { recordIdText } from '../source/record-id.js';
import { CatchUpTracker } from './tracker.js';
import type { BulkCatchUpResult, CatchUpContext, DigestDelta } from './types.js';

export { catchUpExecutionSequences } from './sequences.js';

/** Source `_id`s read per round trip, target keys fetched per FETCH. */
const KEY_BATCH = 10_000;
/** Documents written (or keys deleted) per transaction. */
const WRITE_BATCH = 1000;
/** Executions re-migrated per transaction (each with all its child rows). */
const EXECUTION_BATCH = 200;

export async function catchUpBulkDataSet(ctx: CatchUpContext, dataSet: DataSet): Promise<BulkCatchUpResult> {
  if (!ctx.dryRun) {
    await ensureFailureTable(ctx.pool);
    if (dataSet.mutable) await ensureDigestTable(ctx.pool);
  }
  const sources = await sourceCollections(ctx.db, dataSet);
  const filter = dataSet.filter ?? {};
  let total = 0;
  for (const s of sources) total += await ctx.db.collection(s.collection).countDocuments(filter);
  const tracker = new CatchUpTracker(ctx, dataSet.name, total, describeSources(sources, dataSet.collection));
  const indexKeys = await btreeIndexKeys(ctx.pool, dataSet.tables.map((t) => t.table));
  // Append-only data sets of one table write it only by inserts and deletes of whole rows here.
  const delta: DigestDelta | null = !dataSet.mutable && !ctx.dryRun && dataSet.tables.length === 1 ? { table: (dataSet.tables[0] as TableSpec).table, rows: 0n, sum: 0n } : null;
  for (const source of sources) {
    ctx.signal.throwIfAborted();
    if (dataSet.mutable) await mutableCollection(ctx, dataSet, source, indexKeys, tracker);
    else await appendOnlyCollection(ctx, dataSet, source, indexKeys, tracker, delta);
  }
  if (dataSet.mutable) await dropVanishedScopes(ctx, dataSet, sources, tracker);
  const changed = tracker.written();
  return { ...tracker.finish(), ...(delta ? { digestDelta: delta } : {}), ...(changed ? { changed } : {}) };
}

// ───────────────────────────── shared ─────────────────────────────

interface Prepared {
  doc: Document;
  output: TransformOutput;
}

interface Writer {
  ctx: CatchUpContext;
  dataSet: DataSet;
  source: SourceCollection;
  tctx: ReturnType<typeof transformContext>;
  integrity: IntegrityCheck;
  indexKeys: IndexKeys;
  tracker: CatchUpTracker;
  /** Milliseconds spent writing (for the log line of a collection). */
  spent: { insert: number; delete: number };
  /** Set when the data set's digest delta is kept (append-only, one table): see DigestDelta. */
  delta: DigestDelta | null;
}

function writer(ctx: CatchUpContext, dataSet: DataSet, source: SourceCollection, indexKeys: IndexKeys, tracker: CatchUpTracker, delta: DigestDelta | null = null): Writer {
  return {
    ctx,
    dataSet,
    source,
    tctx: transformContext(source),
    integrity: integrityCheck(dataSet, source, ctx.known, { skipIntegrityErrors: ctx.config.convert.skipIntegrityErrors, dryRun: ctx.dryRun }),
    indexKeys,
    tracker,
    spent: { insert: 0, delete: 0 },
    delta,
  };
}

/** Row count and hash sum (as text: a numeric) of rows, the digest's terms (app/run/table-digests.ts). */
const HASH_TERMS = `count(*)::text AS n, coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text AS s`;

function addDelta(delta: DigestDelta | null, terms: { n: string; s: string } | undefined, sign: 1n | -1n): void {
  if (!delta || !terms) return;
  delta.rows += sign * BigInt(terms.n);
  delta.sum += sign * BigInt(terms.s);
}

/** Transform and reference check of one document; a failure is noted in `failures`/`skips`. */
function prepareOne(w: Writer, doc: Document, failures: FailedRecord[], skips: FailedRecord[]): Prepared | null {
  const context = w.ctx.dryRun ? { collection: w.source.collection, dry_run: true } : { collection: w.source.collection };
  const output = prepare(w.dataSet, doc, w.tctx, w.integrity, context, failures, skips, w.indexKeys);
  return output === null ? null : { doc, output };
}

function rowsOf(output: TransformOutput, spec: TableSpec): TransformOutput[number]['rows'] {
  return output.filter((o) => o.table === spec.table).flatMap((o) => o.rows);
}

/** The value of the main table's key column in a document's rows (the execution id). */
function mainKey(dataSet: DataSet, output: TransformOutput): string | null {
  const main = dataSet.tables[0] as TableSpec;
  const column = main.columns.indexOf(main.conflictKey[0] ?? '');
  const value = rowsOf(output, main)[0]?.[column];
  return value === undefined || value === null ? null : String(value);
}

/** In one transaction on its own connection; a failed transaction is rolled back. */
async function transaction<T>(ctx: CatchUpContext, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await checkout(ctx.pool);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: unknown) => {
      broken = e instanceof Error ? e : new Error(String(e));
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Writes documents' rows in the caller's transaction: all at once, or, when PostgreSQL refuses a
 * row, each document under its own savepoint so only the bad ones fail (SINK_WRITE, as migrate).
 * `before` runs first for each attempt (deletes of the rows being replaced). Returns the documents written.
 */
async function writeRows(client: PoolClient, w: Writer, docs: readonly Prepared[], failures: FailedRecord[], before: (client: PoolClient, docs: readonly Prepared[]) => Promise<void>): Promise<Prepared[]> {
  const mode = w.dataSet.mutable ? 'strict' : 'skip-existing';
  await client.query('SAVEPOINT batch');
  try {
    await before(client, docs);
    for (const spec of w.dataSet.tables) {
      const rows = docs.flatMap((d) => rowsOf(d.output, spec));
      if (rows.length > 0) await insertRows(client, spec, rows, mode);
    }
    await client.query('RELEASE SAVEPOINT batch');
    return [...docs];
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT batch');
    if (!isDataError(err)) throw err;
  }
  const written: Prepared[] = [];
  for (const d of docs) {
    await client.query('SAVEPOINT doc');
    try {
      await before(client, [d]);
      for (const spec of w.dataSet.tables) {
        const rows = rowsOf(d.output, spec);
        if (rows.length > 0) await insertRows(client, spec, rows, mode);
      }
      await client.query('RELEASE SAVEPOINT doc');
      written.push(d);
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT doc');
      if (!isDataError(err)) throw err;
      failures.push({ id: w.dataSet.idOf(d.doc), error: errorMessage(err), code: 'SINK_WRITE', context: { collection: w.source.collection } });
    }
  }
  return written;
}

/** Failure records of a batch, and forgets earlier failures of documents that now landed. */
async function recordOutcome(client: PoolClient, w: Writer, written: readonly Prepared[], failures: readonly FailedRecord[]): Promise<void> {
  if (failures.length > 0) await storeFailures(client, w.dataSet.name, failures, w.ctx.redact.text);
  if (written.length > 0) {
    await client.query(`DELETE FROM ${FAILURES_TABLE} WHERE data_set = $1 AND collection = $2 AND record_id = ANY($3::text[])`, [w.dataSet.name, w.source.collection, written.map((d) => w.dataSet.idOf(d.doc))]);
  }
}

function countFailures(w: Writer, failures: readonly FailedRecord[], skips: readonly FailedRecord[]): void {
  w.tracker.counts.failed += failures.length;
  w.tracker.counts.skipped += skips.length;
  for (const f of [...failures, ...skips]) w.ctx.logger.warn('catch-up: record not migrated', { task: w.dataSet.name, id: f.id, code: f.code, error: w.ctx.redact.text(f.error) });
}

// ───────────────────────────── append-only ─────────────────────────────

/**
 * Target keys in ascending byte order through a server-side cursor (its own snapshot and
 * connection), restricted by `where` (SQL over `k`, the key column, with `params`).
 */
async function* targetKeys(ctx: CatchUpContext, spec: TableSpec, where: string, params: unknown[], query?: string): AsyncGenerator<string> {
  const column = escapeIdentifier(spec.conflictKey[0] as string);
  const client = await checkout(ctx.pool);
  let broken: Error | undefined;
  let open = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    const collate = await collateC(ctx);
    await client.query(`DECLARE catchup_keys NO SCROLL CURSOR FOR ${query ?? `SELECT k FROM (SELECT ${column} AS k FROM ${escapeIdentifier(spec.table)}) t WHERE ${where.replaceAll('$C', collate)} ORDER BY k${collate}`}`, params);
    for (;;) {
      const { rows } = await client.query<{ k: string }>(`FETCH ${KEY_BATCH} FROM catchup_keys`);
      for (const r of rows) yield r.k;
      if (rows.length < KEY_BATCH) break;
    }
    await client.query('COMMIT');
    open = false;
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    // Failed, or closed early by the caller (an abort elsewhere): the transaction ends here, never
    // in the next user of this connection.
    if (open) {
      await client.query('ROLLBACK').catch((e: unknown) => {
        broken ??= e instanceof Error ? e : new Error(String(e));
      });
    }
    client.release(broken);
  }
}

/**
 * The COLLATE clause that orders the keys (24 lowercase hex digits) by bytes: none when the
 * database's own collation already orders them so (C, POSIX, C.UTF-8, and the usual libc and ICU
 * locales, which compare such strings letter by letter), so the primary key's index serves ranges
 * and order; else an explicit "C" (correct, but scanned and sorted without the index). Asked of
 * the database itself with a sample of keys, whatever its provider and version.
 */
const byteOrder = new WeakMap<object, Promise<string>>();
const SAMPLE_KEYS = Array.from({ length: 2000 }, (_, i) => createHash('md5').update(String(i)).digest('hex').slice(i % 8, (i % 8) + 24));
function collateC(ctx: CatchUpContext): Promise<string> {
  let known = byteOrder.get(ctx.pool);
  if (!known) {
    known = ctx.pool
      .query<{ same: boolean }>('SELECT (SELECT array_agg(x ORDER BY x) FROM unnest($1::varchar[]) x) = (SELECT array_agg(x ORDER BY x COLLATE "C") FROM unnest($1::varchar[]) x) AS same', [SAMPLE_KEYS])
      .then(({ rows }) => (rows[0]?.same === true ? '' : ' COLLATE "C"'));
    byteOrder.set(ctx.pool, known);
  }
  return known;
}

/** Lowercase hex of an ObjectId, the append-only tables' key; its byte order is the ObjectId's order. */
function objectIdHex(id: unknown): string {
  return (id as { toHexString(): string }).toHexString();
}

/** An ObjectId as a 96-bit number, and back: range bounds are split arithmetically. */
const toBig = (hex: string): bigint => BigInt(`0x${hex}`);
const fromBig = (n: bigint): ObjectId => new ObjectId(n.toString(16).padStart(24, '0'));

/** Source ObjectId `_id`s in [lower, upper) (either open when undefined), ascending, `_id` alone. */
async function* sourceIds(ctx: CatchUpContext, source: SourceCollection, filter: Document, ranges: ReadonlyArray<[ObjectId | undefined, ObjectId | undefined]>): AsyncGenerator<unknown> {
  for (const [lower, upper] of ranges) {
    const cond: Document = { $type: 'objectId', ...(lower ? { $gte: lower } : {}), ...(upper ? { $lt: upper } : {}) };
    const cursor = ctx.db.collection(source.collection).find(withIdCondition(filter, cond), { sort: { _id: 1 }, projection: { _id: 1 }, batchSize: KEY_BATCH });
    try {
      for await (const doc of cursor) yield doc._id;
    } finally {
      await cursor.close().catch(() => undefined);
    }
  }
}

/**
 * Merges ascending source `_id`s with ascending target keys of the same span: a source `_id` the
 * target lacks is inserted, a target key the source lacks deleted, the rest counted unchanged.
 */
async function mergeIds(w: Writer, ids: AsyncIterable<unknown>, keys: AsyncGenerator<string>): Promise<void> {
  const { ctx, tracker } = w;
  const main = w.dataSet.tables[0] as TableSpec;
  const missing: unknown[] = [];
  const extra: string[] = [];
  const flushMissing = async (): Promise<void> => {
    if (missing.length === 0) return;
    const t0 = performance.now();
    await insertByIds(w, { _id: { $in: missing.splice(0) } });
    w.spent.insert += performance.now() - t0;
  };
  const flushExtra = async (): Promise<void> => {
    if (extra.length === 0) return;
    ctx.signal.throwIfAborted();
    const t0 = performance.now();
    const gone = extra.splice(0);
    if (!ctx.dryRun) {
      // The deleted rows' hashes, taken as they go (counted once committed).
      const { rows } = await transaction(ctx, (client) => client.query<{ n: string; s: string }>(
        `WITH t AS (DELETE FROM ${escapeIdentifier(main.table)} d WHERE ${escapeIdentifier(main.conflictKey[0] as string)} = ANY($1::text[]) RETURNING hashtextextended(d::text, 0) AS h) SELECT count(*)::text AS n, coalesce(sum(h::numeric), 0)::text AS s FROM t`,
        [gone],
      ));
      addDelta(w.delta, rows[0], -1n);
    }
    tracker.counts.deleted += gone.length;
    tracker.tick();
    w.spent.delete += performance.now() - t0;
  };
  try {
    let target = await keys.next();
    for await (const id of ids) {
      ctx.signal.throwIfAborted();
      const hex = objectIdHex(id);
      while (!target.done && target.value < hex) {
        extra.push(target.value);
        if (extra.length >= WRITE_BATCH) await flushExtra();
        target = await keys.next();
      }
      if (!target.done && target.value === hex) {
        tracker.counts.unchanged++;
        if (tracker.counts.unchanged % KEY_BATCH === 0) tracker.tick();
        target = await keys.next();
        continue;
      }
      missing.push(id);
      if (missing.length >= WRITE_BATCH) await flushMissing();
    }
    for (; !target.done; target = await keys.next()) {
      extra.push(target.value);
      if (extra.length >= WRITE_BATCH) await flushExtra();
    }
  } finally {
    await keys.return(undefined);
  }
  await flushMissing();
  await flushExtra();
}

/** Number of ranges the `_id`s below the look-back window are counted in: about this many documents each. */
const RANGE_DOCUMENTS = 2000;
const MAX_RANGES = 4096;

/**
 * One collection of an append-only data set. The pre-copy's watermark is the target's highest key:
 *   - from CATCHUP_LOOKBACK before it on (documents arrived since, and those created out of order
 *     by clients with slow clocks), every `_id` is merged with the target's keys;
 *   - below it (retention's deletions, and an `_id` older than the window), the span is cut into
 *     ranges of about RANGE_DOCUMENTS documents; each range's count in the source (`_id` index) and
 *     in the target (one scan for all ranges) are compared, and only ranges whose counts differ are
 *     merged `_id` by `_id`. A range that lost as many documents as it gained older than the window
 *     compares equal: a larger CATCHUP_LOOKBACK merges more of the collection one by one.
 */
async function appendOnlyCollection(ctx: CatchUpContext, dataSet: DataSet, source: SourceCollection, indexKeys: IndexKeys, tracker: CatchUpTracker, delta: DigestDelta | null): Promise<void> {
  const w = writer(ctx, dataSet, source, indexKeys, tracker, delta);
  const main = dataSet.tables[0] as TableSpec;
  const filter = dataSet.filter ?? {};
  const table = escapeIdentifier(main.table);
  const column = escapeIdentifier(main.conflictKey[0] as string);
  const timing: Record<string, number> = {};
  let mark = performance.now();
  const lap = (what: string): void => {
    const now = performance.now();
    timing[what] = Math.round(now - mark);
    mark = now;
  };
  // Lowest and highest key (the primary key's index, in a database of C collation).
  const collate = await collateC(ctx);
  const { rows: edges } = await ctx.pool.query<{ lo: string | null; hi: string | null }>(
    `SELECT (SELECT ${column} FROM ${table} ORDER BY ${column}${collate} LIMIT 1) AS lo, (SELECT ${column} FROM ${table} ORDER BY ${column}${collate} DESC LIMIT 1) AS hi`,
  );
  lap('target_edges_ms');
  let ranges: { compared: number; differing: number } = { compared: 0, differing: 0 };
  const targetHigh = edges[0]?.hi ?? null;
  const lookbackSeconds = Math.ceil(ctx.config.convert.catchUpLookback / 1000);
  // The window's lower bound: everything from here on is merged `_id` by `_id`.
  const windowStart = targetHigh === null ? undefined : ObjectId.createFromTime(Math.max(0, new ObjectId(targetHigh).getTimestamp().getTime() / 1000 - lookbackSeconds));
  const olderRanges = async (): Promise<void> => {
    if (windowStart === undefined) return;
    const sourceLow = await ctx.db.collection(source.collection).find(withIdCondition(filter, { $type: 'objectId' }), { sort: { _id: 1 }, projection: { _id: 1 }, limit: 1 }).next();
    const low = [edges[0]?.lo, sourceLow ? objectIdHex(sourceLow._id) : null].filter((x): x is string => typeof x === 'string').sort()[0];
    const lowN = low === undefined ? undefined : toBig(low);
    const highN = toBig(windowStart.toHexString());
    if (lowN !== undefined && lowN < highN) {
      const documents = await ctx.db.collection(source.collection).countDocuments(withIdCondition(filter, { $type: 'objectId', $lt: windowStart }));
      const parts = Math.max(1, Math.min(MAX_RANGES, Math.ceil(documents / RANGE_DOCUMENTS)));
      const bounds = Array.from({ length: parts + 1 }, (_, k) => (k === parts ? highN : lowN + ((highN - lowN) * BigInt(k)) / BigInt(parts)));
      const starts = bounds.slice(0, parts).map((b) => Buffer.from(b.toString(16).padStart(24, '0'), 'hex'));
      const hexBounds = bounds.map((b) => b.toString(16).padStart(24, '0'));
      // Target counts of every range (k: bounds[k-1] ≤ key < bounds[k]): by the primary key's
      // index when it orders by bytes, else in one scan.
      const { rows } = collate === ''
        ? await ctx.pool.query<{ b: number; n: string }>(
          `SELECT r.b, (SELECT count(*) FROM ${table} WHERE ${column} >= r.lo AND ${column} < r.hi) AS n FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(lo, hi, b)`,
          [hexBounds.slice(0, parts), hexBounds.slice(1)],
        )
        : await ctx.pool.query<{ b: number; n: string }>(
          `SELECT width_bucket(x, $1::bytea[]) AS b, count(*) AS n FROM (SELECT decode(${column}, 'hex') AS x FROM ${table}) t WHERE x < $2 GROUP BY 1`,
          [starts, Buffer.from(windowStart.toHexString(), 'hex')],
        );
      const targetCounts = new Map(rows.map((r) => [Number(r.b), Number(r.n)]));
      lap('target_counts_ms');
      const differing: number[] = [];
      for (let k = 1; k <= parts; k++) {
        ctx.signal.throwIfAborted();
        const n = await ctx.db.collection(source.collection).countDocuments(withIdCondition(filter, { $type: 'objectId', $gte: fromBig(bounds[k - 1] as bigint), $lt: fromBig(bounds[k] as bigint) }));
        if (n !== (targetCounts.get(k) ?? 0)) differing.push(k);
        else tracker.counts.unchanged += n;
        if (k % 64 === 0) tracker.tick();
      }
      tracker.tick();
      lap('source_counts_ms');
      ranges = { compared: parts, differing: differing.length };
      if (differing.length > 0) {
        const ranges = differing.map((k): [ObjectId, ObjectId] => [fromBig(bounds[k - 1] as bigint), fromBig(bounds[k] as bigint)]);
        const keys = collate === ''
          ? targetKeys(ctx, main, '', [differing.map((k) => hexBounds[k - 1]), differing.map((k) => hexBounds[k])],
            `SELECT x.k FROM unnest($1::text[], $2::text[]) AS r(lo, hi) CROSS JOIN LATERAL (SELECT ${column} AS k FROM ${table} WHERE ${column} >= r.lo AND ${column} < r.hi) x ORDER BY x.k`)
          : targetKeys(ctx, main, `decode(k, 'hex') < $2 AND width_bucket(decode(k, 'hex'), $1::bytea[]) = ANY($3::int[])`, [starts, Buffer.from(windowStart.toHexString(), 'hex'), differing]);
        await mergeIds(w, sourceIds(ctx, source, filter, ranges), keys);
      }
    }
    lap('ranges_merged_ms');
  };
  // The window (or the whole collection when the target has none of it yet), `_id` by `_id`, side
  // by side with the older ranges: their keys are disjoint (below and from the window's start), so
  // are their writes and digest deltas, and the target's range counts run while the window merges.
  const from = windowStart?.toHexString();
  const mergeWindow = async (): Promise<void> => {
    const started = performance.now();
    await mergeIds(w, sourceIds(ctx, source, filter, [[windowStart, undefined]]), targetKeys(ctx, main, from === undefined ? 'true' : 'k$C >= $1', from === undefined ? [] : [from]));
    timing.window_merged_ms = Math.round(performance.now() - started);
  };
  const settled = await Promise.allSettled([olderRanges(), mergeWindow()]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  // `_id`s of any other type cannot have a row (the key is an ObjectId's): each is tried, and
  // reported with its reason as the pre-copy reported it.
  await insertByIds(w, withIdCondition(filter, { $not: { $type: 'objectId' } }));
  tracker.tick();
  ctx.logger.info('catch-up compared a collection', { task: dataSet.name, collection: source.collection, window_start: from ?? null, ranges, ...timing, inserting_ms: Math.round(w.spent.insert), deleting_ms: Math.round(w.spent.delete) });
}

/** Reads the documents a query selects, transforms and inserts them (conflicts skipped), WRITE_BATCH per transaction. */
async function insertByIds(w: Writer, query: Document): Promise<void> {
  const { ctx, tracker } = w;
  ctx.signal.throwIfAborted();
  const docs = decodeChecked(ctx.db.collection(w.source.collection).find(query, { sort: { _id: 1 }, batchSize: WRITE_BATCH, raw: true }), w.source.collection);
  let batch: Prepared[] = [];
  let failures: FailedRecord[] = [];
  let skips: FailedRecord[] = [];
  const flush = async (): Promise<void> => {
    const [todo, failed, skipped] = [batch, failures, skips];
    batch = [];
    failures = [];
    skips = [];
    if (ctx.dryRun) {
      tracker.counts.inserted += todo.length;
    } else if (todo.length + failed.length + skipped.length > 0) {
      const sinkFailures: FailedRecord[] = [];
      const [written, before, after] = await transaction(ctx, async (client) => {
        // The rows of the batch's keys before and after its inserts, in its transaction: the
        // difference is what it inserted (a key already there is left as it was: ON CONFLICT DO NOTHING).
        const main = w.dataSet.tables[0] as TableSpec;
        const keys = w.delta ? todo.map((d) => mainKey(w.dataSet, d.output)).filter((k): k is string => k !== null) : [];
        const terms = async (): Promise<{ n: string; s: string } | undefined> => keys.length === 0 ? undefined
          : (await client.query<{ n: string; s: string }>(`SELECT ${HASH_TERMS} FROM ${escapeIdentifier(main.table)} t WHERE ${escapeIdentifier(main.conflictKey[0] as string)} = ANY($1::text[])`, [keys])).rows[0];
        const pre = await terms();
        const done = await writeRows(client, w, todo, sinkFailures, async () => undefined);
        await recordOutcome(client, w, done, [...failed, ...sinkFailures, ...skipped]);
        return [done, pre, await terms()] as const;
      });
      addDelta(w.delta, after, 1n);
      addDelta(w.delta, before, -1n);
      tracker.counts.inserted += written.length;
      tracker.wrote(w.source.collection, written.map((d) => d.doc._id));
      failed.push(...sinkFailures);
    }
    countFailures(w, failed, skipped);
    tracker.tick();
  };
  try {
    for await (const doc of docs) {
      ctx.signal.throwIfAborted();
      const p = prepareOne(w, doc, failures, skips);
      if (p) batch.push(p);
      if (batch.length + failures.length + skips.length >= WRITE_BATCH) await flush();
    }
  } finally {
    await docs.close().catch(() => undefined);
  }
  await flush();
}

// ───────────────────────────── mutable (executions) ─────────────────────────────

/** `_id` as recordIdText gives it, read from the bytes when it is the document's first element and an ObjectId (as the application writes it). */
function leadingObjectIdHex(bytes: Uint8Array): string | undefined {
  // int32 length, type 0x07 (ObjectId), "_id\0", then 12 bytes.
  if (bytes.byteLength < 21 || bytes[4] !== 0x07 || bytes[5] !== 0x5f || bytes[6] !== 0x69 || bytes[7] !== 0x64 || bytes[8] !== 0) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset + 9, 12).toString('hex');
}

interface Redo extends Prepared {
  recordId: string;
  digest: string;
  /** Target keys whose rows this document's rows replace (its own, and the one recorded for it if different). */
  replaces: string[];
  /** Its rows exist in the target (updated, not inserted). */
  exists: boolean;
}

async function targetKeysOfScope(ctx: CatchUpContext, main: TableSpec, source: SourceCollection): Promise<Set<string>> {
  if (source.organizationId === undefined || source.environmentId === undefined) return new Set();
  const column = escapeIdentifier(main.conflictKey[0] as string);
  const { rows } = await ctx.pool.query<{ k: string }>(`SELECT ${column} AS k FROM ${escapeIdentifier(main.table)} WHERE organization_id = $1 AND environment_id = $2`, [source.organizationId, source.environmentId]);
  return new Set(rows.map((r) => r.k));
}

/** Deletes the rows of the given target keys, children first (the caller's transaction). */
async function deleteRecords(client: PoolClient, dataSet: DataSet, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const [main, ...children] = dataSet.tables as [TableSpec, ...TableSpec[]];
  for (const child of [...children].reverse()) await client.query(`DELETE FROM ${escapeIdentifier(child.table)} WHERE execution_id = ANY($1::text[])`, [keys]);
  await client.query(`DELETE FROM ${escapeIdentifier(main.table)} WHERE ${escapeIdentifier(main.conflictKey[0] as string)} = ANY($1::text[])`, [keys]);
}

async function writeDigests(client: PoolClient, w: Writer, docs: readonly Redo[]): Promise<void> {
  if (docs.length === 0) return;
  await client.query(
    `INSERT INTO ${DIGESTS_TABLE} (data_set, collection, record_id, target_key, digest)
     SELECT $1, $2, r, k, d FROM unnest($3::text[], $4::text[], $5::text[]) AS t(r, k, d)
     ON CONFLICT (data_set, collection, record_id) DO UPDATE SET target_key = EXCLUDED.target_key, digest = EXCLUDED.digest`,
    [w.dataSet.name, w.source.collection, docs.map((d) => d.recordId), docs.map((d) => mainKey(w.dataSet, d.output) as string), docs.map((d) => d.digest)],
  );
}

async function mutableCollection(ctx: CatchUpContext, dataSet: DataSet, source: SourceCollection, indexKeys: IndexKeys, tracker: CatchUpTracker): Promise<void> {
  const w = writer(ctx, dataSet, source, indexKeys, tracker);
  const main = dataSet.tables[0] as TableSpec;
  const recorded = ctx.dryRun ? await readDigests(ctx.pool, dataSet.name, source.collection).catch(() => new Map()) : await readDigests(ctx.pool, dataSet.name, source.collection);
  const present = await targetKeysOfScope(ctx, main, source);
  /** Target keys that a source document accounts for: the rest is deleted at the end. */
  const kept = new Set<string>();
  const seenRecords = new Set<string>();
  let batch: Redo[] = [];
  let failures: FailedRecord[] = [];
  let skips: FailedRecord[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    const [todo, failed, skipped] = [batch, failures, skips];
    batch = [];
    failures = [];
    skips = [];
    batchBytes = 0;
    let written: readonly Redo[] = todo;
    if (!ctx.dryRun && todo.length + failed.length + skipped.length > 0) {
      const sinkFailures: FailedRecord[] = [];
      written = await transaction(ctx, async (client) => {
        // An execution's old rows (all tables) go and its new rows come in the same transaction.
        const done = (await writeRows(client, w, todo, sinkFailures, (c, docs) => deleteRecords(c, dataSet, (docs as Redo[]).flatMap((d) => d.replaces)))) as Redo[];
        await writeDigests(client, w, done);
        await recordOutcome(client, w, done, [...failed, ...sinkFailures, ...skipped]);
        return done;
      });
      failed.push(...sinkFailures);
      // A document PostgreSQL refused keeps no rows: like a failed transform, its old rows go below.
      for (const d of todo) if (!written.includes(d)) for (const k of d.replaces) kept.delete(k);
    }
    for (const d of written) {
      if (d.exists) tracker.counts.updated++;
      else tracker.counts.inserted++;
    }
    if (!ctx.dryRun) tracker.wrote(source.collection, written.map((d) => d.doc._id));
    countFailures(w, failed, skipped);
    tracker.tick();
  };

  const cursor = ctx.db.collection(source.collection).find(dataSet.filter ?? {}, { sort: { _id: 1 }, batchSize: ctx.config.convert.bulkReadSize, raw: true });
  try {
    for await (const raw of cursor) {
      ctx.signal.throwIfAborted();
      const bytes = raw as unknown as Uint8Array;
      // Decoded only when it is re-migrated: an unchanged document is known by its bytes.
      let decoded: Document | undefined;
      const decode = (): Document => (decoded ??= decodeSourceDocument(bytes));
      const recordId = leadingObjectIdHex(bytes) ?? recordIdText(decode()._id);
      seenRecords.add(recordId);
      const digest = documentDigest(bytes);
      const before = recorded.get(recordId);
      if (before !== undefined && before.digest === digest && present.has(before.targetKey)) {
        kept.add(before.targetKey);
        tracker.counts.unchanged++;
        if (tracker.counts.unchanged % 1000 === 0) tracker.tick();
        continue;
      }
      const p = prepareOne(w, decode(), failures, skips);
      if (p) {
        const key = mainKey(dataSet, p.output);
        const replaces = [...new Set([key, before?.targetKey].filter((k): k is string => k !== null && k !== undefined))];
        const exists = replaces.some((k) => present.has(k));
        for (const k of replaces) kept.add(k);
        if (key !== null) kept.add(key);
        batch.push({ ...p, recordId, digest, replaces, exists });
        batchBytes += bytes.byteLength;
      }
      if (batch.length + failures.length + skips.length >= EXECUTION_BATCH || batchBytes >= 16 * 1024 * 1024) await flush();
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  await flush();
  // Executions of this scope no source document accounts for (deleted by retention, or now failing).
  ctx.signal.throwIfAborted();
  const gone = [...present].filter((k) => !kept.has(k));
  const staleRecords = [...recorded.keys()].filter((r) => !seenRecords.has(r));
  for (let from = 0; from < Math.max(gone.length, staleRecords.length); from += WRITE_BATCH) {
    const keys = gone.slice(from, from + WRITE_BATCH);
    const records = staleRecords.slice(from, from + WRITE_BATCH);
    if (!ctx.dryRun) {
      await transaction(ctx, async (client) => {
        await deleteRecords(client, dataSet, keys);
        if (records.length > 0) await client.query(`DELETE FROM ${DIGESTS_TABLE} WHERE data_set = $1 AND collection = $2 AND record_id = ANY($3::text[])`, [dataSet.name, source.collection, records]);
      });
    }
    tracker.counts.deleted += keys.length;
    tracker.tick();
  }
}

/** Executions in the target of an organisation/environment whose source collection is gone altogether. */
async function dropVanishedScopes(ctx: CatchUpContext, dataSet: DataSet, sources: readonly SourceCollection[], tracker: CatchUpTracker): Promise<void> {
  const main = dataSet.tables[0] as TableSpec;
  const live = new Set(sources.filter((s) => !s.orphan).map((s) => `${s.organizationId}/${s.environmentId}`));
  const { rows } = await ctx.pool.query<{ o: string; e: string }>(`SELECT DISTINCT organization_id AS o, environment_id AS e FROM ${escapeIdentifier(main.table)}`);
  for (const scope of rows.filter((r) => !live.has(`${r.o}/${r.e}`))) {
    ctx.signal.throwIfAborted();
    const keys = (await ctx.pool.query<{ k: string }>(`SELECT ${escapeIdentifier(main.conflictKey[0] as string)} AS k FROM ${escapeIdentifier(main.table)} WHERE organization_id = $1 AND environment_id = $2`, [scope.o, scope.e])).rows.map((r) => r.k);
    for (let from = 0; from < keys.length; from += WRITE_BATCH) {
      const part = keys.slice(from, from + WRITE_BATCH);
      if (!ctx.dryRun) await transaction(ctx, (client) => deleteRecords(client, dataSet, part));
      tracker.counts.deleted += part.length;
      tracker.tick();
    }
  }
}
