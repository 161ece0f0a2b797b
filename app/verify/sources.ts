/**
 * Reading a data set's source records for verification: all of them (ascending `_id`, like the
 * engines), or a sample spread over each collection in windows of consecutive documents, or listed
 * `_id`s, and single reported records looked up by `_id`.
 */
import { parseRecordIdText } from '../source/record-id.js';
import type { Filter } from 'mongodb';
import { ObjectId, type Document } from '../source/bson.js';
import type { DataSet, SourceCollection } from '../datasets/types.js';
import type { SourceDb } from '../source/source-db.js';
import { decodeChecked } from '../engine/source-read.js';
import { mulberry32 } from '../util/prng.js';

/** Documents per sample window: consecutive `_id`s, one skip per window. */
const WINDOW = 25;

export interface SourceRecord {
  record: Document;
  source: SourceCollection;
}

function records(dataSet: DataSet, doc: Document): Document[] {
  return dataSet.explode ? dataSet.explode(doc) : [doc];
}

export async function* allRecords(db: SourceDb, dataSet: DataSet, sources: readonly SourceCollection[], batchSize: number, signal: AbortSignal): AsyncGenerator<SourceRecord> {
  for (const source of sources) {
    const cursor = decodeChecked(db.collection(source.collection).find(dataSet.filter ?? {}, { sort: { _id: 1 }, batchSize, raw: true }), source.collection);
    try {
      for await (const doc of cursor) {
        signal.throwIfAborted();
        for (const record of records(dataSet, doc)) yield { record, source };
      }
    } finally {
      await cursor.close();
    }
  }
}

/** The documents of the given `_id`s (those a catch-up wrote), in batches, ascending `_id` per batch. */
export async function* listedRecords(db: SourceDb, dataSet: DataSet, sources: readonly SourceCollection[], ids: ReadonlyMap<string, readonly unknown[]>, batchSize: number, signal: AbortSignal): AsyncGenerator<SourceRecord> {
  for (const source of sources) {
    const listed = ids.get(source.collection) ?? [];
    for (let from = 0; from < listed.length; from += batchSize) {
      signal.throwIfAborted();
      const filter: Filter<Document> = { $and: [dataSet.filter ?? {}, { _id: { $in: listed.slice(from, from + batchSize) } }] };
      const cursor = decodeChecked(db.collection(source.collection).find(filter, { sort: { _id: 1 }, raw: true }), source.collection);
      try {
        for await (const doc of cursor) for (const record of records(dataSet, doc)) yield { record, source };
      } finally {
        await cursor.close();
      }
    }
  }
}

/**
 * About `size` records spread over the collections in proportion to their counts: windows of
 * consecutive documents at random offsets (a skip on the `_id` index each), never the same
 * document twice.
 */
export async function* sampledRecords(
  db: SourceDb,
  dataSet: DataSet,
  sources: ReadonlyArray<{ source: SourceCollection; count: number }>,
  size: number,
  seed: number,
  signal: AbortSignal,
): AsyncGenerator<SourceRecord> {
  const random = mulberry32(seed);
  const total = sources.reduce((n, s) => n + s.count, 0);
  for (const { source, count } of sources) {
    if (count === 0) continue;
    const share = Math.min(count, Math.max(1, Math.round((size * count) / Math.max(total, 1))));
    const windows = Math.ceil(share / WINDOW);
    const starts = new Set<number>();
    for (let i = 0; i < windows; i++) starts.add(Math.floor(random() * Math.max(1, count - WINDOW + 1)));
    const seen = new Set<number>();
    for (const start of [...starts].sort((a, b) => a - b)) {
      signal.throwIfAborted();
      const limit = Math.min(WINDOW, share);
      const cursor = decodeChecked(db.collection(source.collection).find(dataSet.filter ?? {}, { sort: { _id: 1 }, skip: start, limit, raw: true }), source.collection);
      try {
        let position = start;
        for await (const doc of cursor) {
          if (!seen.has(position)) {
            seen.add(position);
            for (const record of records(dataSet, doc)) yield { record, source };
          }
          position++;
        }
      } finally {
        await cursor.close();
      }
    }
  }
}

/** `_id` values a report id may stand for: ObjectId hex, the string itself, Extended JSON (record-id.ts), a number. */
function idCandidates(id: string): unknown[] {
  const out: unknown[] = [];
  const parsed = parseRecordIdText(id);
  if (parsed !== undefined) out.push(parsed);
  if (/^[0-9a-f]{24}$/i.test(id)) out.push(new ObjectId(id));
  out.push(id);
  if (/^-?\d+(\.\d+)?$/.test(id) && Number.isFinite(Number(id))) out.push(Number(id));
  return out;
}

/**
 * The source record a report line names, when its id is the document's `_id` (the usual idOf):
 * undefined when no document of that `_id` exists or it reports under a different id.
 */
export async function fetchReportedRecord(db: SourceDb, dataSet: DataSet, source: SourceCollection, id: string): Promise<Document | undefined> {
  for (const candidate of idCandidates(id)) {
    const filter: Filter<Document> = { $and: [dataSet.filter ?? {}, { _id: { $gte: candidate, $lte: candidate } }] };
    const cursor = decodeChecked(db.collection(source.collection).find(filter, { limit: 1, raw: true }), source.collection);
    try {
      const doc = await cursor.next();
      if (!doc) continue;
      const record = records(dataSet, doc).find((r) => dataSet.idOf(r) === id);
      if (record) return record;
    } finally {
      await cursor.close();
    }
  }
  return undefined;
}
