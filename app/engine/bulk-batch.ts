/**
 * One batch of the bulk phase: raw BSON documents (concatenated, each length-prefixed as on the
 * wire) decoded exactly as the driver decodes them, transformed, reference-checked and written as
 * COPY text per table. Nothing here touches a connection, so it runs on a transform thread
 * (transform-pool.ts) while the main thread reads the cursor and feeds COPY, or inline.
 */
import type { Document } from 'mongodb';
import { IntegrityError, SinkError, SourceError, errorMessage, isMongo2pgError, withReason } from '../errors.js';
import type { DataSet, SourceCollection, TransformContext, TransformOutput } from '../datasets/types.js';
import type { FailedRecord } from '../report/error-report.js';
import { decodeSourceDocument } from '../source/source-db.js';
import { copyLine } from './copy-text.js';
import { oversizedIndexEntry, type IndexKeys } from './index-keys.js';
import { checkReferences, orphanCollectionError, type KnownIds } from './integrity.js';
import { isDecodeError, undecodableDocument } from './source-read.js';
import { digestLine, documentDigest } from './record-digests.js';
import { recordIdText } from '../source/record-id.js';

export interface BatchJob {
  /** Name of a bulk data set of the registry (the thread builds its own from the config). */
  dataSet: string;
  source: SourceCollection;
  /** The documents' BSON bytes, back to back. */
  bytes: Uint8Array;
  /** Dry run: no COPY text, and a dangling reference is a failure rather than the end of the run. */
  dryRun: boolean;
  skipIntegrityErrors: boolean;
  /** B-tree indexes of the data set's tables: rows they cannot hold are reported, not loaded. */
  indexKeys?: IndexKeys;
  /** Record a digest of each loaded document (DataSet.mutable, record-digests.ts). */
  digests?: boolean;
}

export interface BatchOutput {
  documents: number;
  /** Documents whose rows are in `text`. */
  loaded: number;
  /** COPY text per table of the data set, in its order (empty when the batch gave it no rows). */
  text: Uint8Array[];
  failures: FailedRecord[];
  /** Dangling references skipped under CONVERT_SKIP_INTEGRITY_ERRORS. */
  skips: FailedRecord[];
  /** What the data set counted while transforming this batch (DataSet.counters). */
  counters: Array<[string, number]>;
  /** COPY text of mongo2pg.record_digests for the loaded documents (empty unless job.digests). */
  digests: Uint8Array;
}

/**
 * Reference check of one document: null when it may be loaded, else the record to report and
 * whether it counts as skipped (CONVERT_SKIP_INTEGRITY_ERRORS) or failed (dry run). Without
 * either, the check throws and the run stops. `orphan`: the collection belongs to no existing
 * tenant, so every document fails the check, before its transform (which may need the tenant).
 */
export type IntegrityCheck = ((doc: Document) => { record: FailedRecord; skipped: boolean } | null) & { readonly orphan: boolean };

export function transformContext(source: SourceCollection): TransformContext {
  return { ...(source.organizationId ? { organizationId: source.organizationId } : {}), ...(source.environmentId ? { environmentId: source.environmentId } : {}) };
}

export function integrityCheck(dataSet: DataSet, source: SourceCollection, known: KnownIds, options: { skipIntegrityErrors: boolean; dryRun: boolean }): IntegrityCheck {
  const tctx = transformContext(source);
  const check = (doc: Document): ReturnType<IntegrityCheck> => {
    const err = source.orphan ? orphanCollectionError(source.collection) : dataSet.references ? checkReferences(dataSet.references(doc, tctx), known) : null;
    if (!err) return null;
    const id = dataSet.idOf(doc);
    if (!options.skipIntegrityErrors && !options.dryRun) {
      throw new IntegrityError(`${dataSet.name}: record ${id}: ${err.message}; the run stops here (set CONVERT_SKIP_INTEGRITY_ERRORS=true to skip and report such records)`, { cause: err, context: { dataSet: dataSet.name, recordId: id } });
    }
    return { record: { id, error: err.message, code: err.code, context: { collection: source.collection, ...(options.skipIntegrityErrors ? { skipped: true } : {}) } }, skipped: options.skipIntegrityErrors };
  };
  return Object.assign(check, { orphan: source.orphan === true });
}

/** Transform and reference check of one document: its rows, or null after noting why not. */
export function prepare(dataSet: DataSet, doc: Document, tctx: TransformContext, integrity: IntegrityCheck, context: Record<string, unknown>, failures: FailedRecord[], skips: FailedRecord[], indexKeys?: IndexKeys): TransformOutput | null {
  // References are read from transformed (well-typed) documents; an orphan collection fails first.
  const dangling = integrity.orphan ? integrity(doc) : null;
  if (dangling) {
    (dangling.skipped ? skips : failures).push(dangling.record);
    return null;
  }
  let output: TransformOutput;
  try {
    output = dataSet.transform(doc, tctx);
  } catch (err) {
    failures.push({ id: dataSet.idOf(doc), error: errorMessage(err), code: isMongo2pgError(err) ? err.code : 'TRANSFORM', context: withReason(context, err) });
    return null;
  }
  const unresolved = integrity.orphan ? null : integrity(doc);
  if (unresolved) {
    (unresolved.skipped ? skips : failures).push(unresolved.record);
    return null;
  }
  const oversized = oversizedIndexEntry(output, dataSet.tables, indexKeys);
  if (oversized) {
    failures.push({ id: dataSet.idOf(doc), ...oversized, context: { ...context, ...oversized.context } });
    return null;
  }
  return output;
}

/** Adds counts (DataSet.counters entries of a batch or chunk) to a map of totals. */
export function addCounts(totals: Map<string, number> | undefined, counts: Iterable<[string, number]>): void {
  if (totals) for (const [key, n] of counts) totals.set(key, (totals.get(key) ?? 0) + n);
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

export function transformBatch(job: BatchJob, dataSet: DataSet, known: KnownIds): BatchOutput {
  const { bytes, source } = job;
  const tctx = transformContext(source);
  const check = integrityCheck(dataSet, source, known, job);
  const context = job.dryRun ? { collection: source.collection, dry_run: true } : { collection: source.collection };
  const tableIndex = new Map(dataSet.tables.map((t, i) => [t.table, i]));
  const text = dataSet.tables.map(() => '');
  const failures: FailedRecord[] = [];
  const skips: FailedRecord[] = [];
  let documents = 0;
  let loaded = 0;
  let lastId: unknown;
  let digests = '';
  const mainSpec = dataSet.tables[0];
  const keyColumn = job.digests && mainSpec ? mainSpec.columns.indexOf(mainSpec.conflictKey[0] ?? '') : -1;
  for (let offset = 0; offset < bytes.byteLength; documents++) {
    const size = offset + 4 <= bytes.byteLength ? (bytes[offset] as number) | ((bytes[offset + 1] as number) << 8) | ((bytes[offset + 2] as number) << 16) | ((bytes[offset + 3] as number) << 24) : 0;
    if (size < 5 || offset + size > bytes.byteLength) throw new SourceError('SOURCE_READ', `${source.collection}: a batch from the source ends inside a document (${bytes.byteLength - offset} bytes left, document of ${size})`, { context: { collection: source.collection } });
    let doc: Document;
    try {
      doc = decodeSourceDocument(bytes, offset);
    } catch (err) {
      if (!isDecodeError(err)) throw err;
      throw undecodableDocument(source.collection, lastId, err);
    }
    const start = offset;
    offset += size;
    lastId = doc._id;
    const output = prepare(dataSet, doc, tctx, check, context, failures, skips, job.indexKeys);
    if (output === null) continue;
    loaded++;
    if (job.dryRun) continue;
    if (keyColumn >= 0) {
      const key = output.find((o) => o.table === mainSpec?.table)?.rows[0]?.[keyColumn];
      if (key !== undefined && key !== null) digests += digestLine(dataSet.name, source.collection, recordIdText(doc._id), String(key), documentDigest(bytes.subarray(start, offset)));
    }
    for (const part of output) {
      const i = tableIndex.get(part.table);
      if (i === undefined) throw new SinkError('SINK_WRITE', `data set ${dataSet.name} produced rows for undeclared table ${part.table}`);
      for (const row of part.rows) text[i] += copyLine(row);
    }
  }
  const counters = dataSet.counters ? [...dataSet.counters] : [];
  dataSet.counters?.clear();
  return { documents, loaded, text: text.map((t) => (t === '' ? EMPTY : encoder.encode(t))), failures, skips, counters, digests: digests === '' ? EMPTY : encoder.encode(digests) };
}
