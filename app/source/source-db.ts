/**
 * The narrow part of the MongoDB driver the engines use. A driver `Db` satisfies it as is; the
 * benchmark and some tests pass in-process BSON sources through the same interface.
 */
import type { Filter } from 'mongodb';
import type { Config } from '../config/load.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { retry } from '../util/retry.js';
import { BSON, type Document } from './bson.js';
import { restoreLegacyElements } from './legacy-bson.js';

export interface FindOptions {
  sort?: Document;
  batchSize?: number;
  limit?: number;
  skip?: number;
  projection?: Document;
  /** Hand documents over as their BSON bytes, undecoded (see readRawBatch). */
  raw?: boolean;
}

export interface SourceCursor extends AsyncIterable<Document> {
  next(): Promise<Document | null>;
  /** Fetches the next batch from the server when none is buffered; false at the end. */
  hasNext(): Promise<boolean>;
  /** Number of documents received and not yet read. */
  bufferedCount(): number;
  /** Takes up to `count` of the buffered documents without waiting. */
  readBufferedDocuments(count?: number): Document[];
  close(): Promise<void>;
}

export interface SourceCollectionApi {
  find(filter: Filter<Document>, options?: FindOptions): SourceCursor;
  countDocuments(filter?: Filter<Document>): Promise<number>;
  estimatedDocumentCount(): Promise<number>;
}

export interface SourceDb {
  collection(name: string): SourceCollectionApi;
  listCollections(filter: Document, options: { nameOnly: true }): { toArray(): Promise<Array<{ name: string }>> };
}

/**
 * How documents are decoded, by the driver (app/source/mongo.ts sets these on the client) and by
 * the engines from raw bytes: every value keeps its BSON type (docs/data-model.md §2a): int64 stays
 * an exact Long, Int32 and Double stay Int32 and Double (a Double 1.0 is not an Int32 1), a symbol
 * stays a BSONSymbol, a regular expression stays a BSONRegExp (pattern and options verbatim, never
 * a JavaScript RegExp), and strings must be valid UTF-8 (the driver's default validation).
 */
export const SOURCE_BSON_OPTIONS = { promoteLongs: false, promoteValues: false, bsonRegExp: true } as const;
/** One options object, its index set per call: building it per document was a measurable cost. */
const decodeOptions = { ...SOURCE_BSON_OPTIONS, validation: { utf8: true as const }, index: 0, allowObjectSmallerThanBufferSize: true };

/**
 * One document from its BSON bytes (at `offset`) as the engines see it: as the driver decodes it
 * with SOURCE_BSON_OPTIONS, plus DBPointer and BSON undefined, which the bson library cannot
 * return as themselves (app/source/legacy-bson.ts).
 */
export function decodeSourceDocument(bytes: Uint8Array, offset = 0): Document {
  decodeOptions.index = offset;
  return restoreLegacyElements(BSON.deserialize(bytes, decodeOptions), bytes, offset);
}

/** Driver errors of a server that was unreachable or went away (a restart, a failover): by name, so this module does not load the driver. */
const TRANSIENT_SOURCE_ERRORS = new Set(['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoPoolClearedError']);

/** Whether reading again, once the server is back, may succeed where this read failed. */
export function isTransientSourceError(err: unknown): boolean {
  return err instanceof Error && TRANSIENT_SOURCE_ERRORS.has(err.name);
}

/**
 * Runs a read-only step again when the source breaks it off (a restart, a failover), up to the
 * configured MongoDB attempts and delay, logging `message` at each new attempt.
 */
export function readAgainOnTransientError<T>(op: () => Promise<T>, ctx: { config: Config; logger: Logger; signal: AbortSignal }, message: string, fields: Record<string, unknown> = {}): Promise<T> {
  return retry(op, {
    attempts: ctx.config.mongo.connectionAttempts,
    delayMs: ctx.config.mongo.connectionDelay,
    signal: ctx.signal,
    retryable: isTransientSourceError,
    onRetry: (attempt, err) => ctx.logger.warn(message, { ...fields, attempt, error: errorMessage(err) }),
  });
}

/** Raw documents of a cursor opened with `raw: true`, concatenated as on the wire. */
export interface RawBatch {
  bytes: Uint8Array;
  count: number;
  /** Offset of the last document in `bytes`. */
  lastOffset: number;
}

/**
 * The next batch of raw documents: what the cursor has buffered (fetching when nothing is), up
 * to `maxDocs` documents or about `maxBytes` bytes (at least one document); null at the end.
 * The bytes are copied into one buffer of their own, so it can be handed to another thread.
 */
export async function readRawBatch(cursor: SourceCursor, maxDocs: number, maxBytes: number): Promise<RawBatch | null> {
  if (!(await cursor.hasNext())) return null;
  // A cursor opened with `raw: true` yields each document's bytes.
  const docs: Uint8Array[] = [];
  let total = 0;
  while (docs.length < maxDocs && total < maxBytes && cursor.bufferedCount() > 0) {
    const [doc] = cursor.readBufferedDocuments(1) as unknown as Uint8Array[];
    if (doc === undefined) break;
    docs.push(doc);
    total += doc.byteLength;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  let lastOffset = 0;
  for (const doc of docs) {
    lastOffset = offset;
    bytes.set(doc, offset);
    offset += doc.byteLength;
  }
  return { bytes, count: docs.length, lastOffset };
}
