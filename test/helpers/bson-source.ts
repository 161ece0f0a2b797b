/**
 * An in-memory source with the engine's SourceDb interface, for documents a MongoDB-wire test
 * server cannot store (FerretDB v1 refuses dotted keys, Decimal128, NaN …). Every document is
 * kept as BSON bytes and decoded on read with the driver's own options, so the engine sees exactly
 * what the driver would hand it. Supports what the engines ask: `_id` range filters (`$gt`, `$gte`,
 * `$lt`, `$lte`, `$and`, `$type` and `$not: {$type}`), ascending `_id` sort, skip/limit, counts, collection listing.
 */
import { BSON, ObjectId, type Document } from 'mongodb';
import { decodeSourceDocument, type FindOptions, type SourceCollectionApi, type SourceCursor, type SourceDb } from '../../app/source/source-db.js';

/** BSON comparison order for the `_id` types tests use: numbers < strings < ObjectIds. */
function compareIds(a: unknown, b: unknown): number {
  const rank = (v: unknown): number => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : v instanceof ObjectId ? 2 : 3);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (a as number) - (b as number);
  const sa = ra === 2 ? (a as ObjectId).toHexString() : String(a);
  const sb = rb === 2 ? (b as ObjectId).toHexString() : String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** `$type` for the `_id` types tests use (the bulk engine reads by type bracket). */
function typeMatches(id: unknown, type: string | string[]): boolean {
  const own = typeof id === 'number' ? 'number' : typeof id === 'string' ? 'string' : id instanceof ObjectId ? 'objectId' : 'other';
  return (Array.isArray(type) ? type : [type]).includes(own);
}

function matches(doc: Document, filter: Document): boolean {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and') {
      if (!(cond as Document[]).every((f) => matches(doc, f))) return false;
      continue;
    }
    if (key !== '_id') throw new Error(`the in-memory source filters on _id only, not ${key}`);
    const c = cond as Document;
    if ('$type' in c && !typeMatches(doc._id, c.$type as string | string[])) return false;
    if ('$not' in c && typeMatches(doc._id, (c.$not as Document).$type as string | string[])) return false;
    if ('$gt' in c && !(compareIds(doc._id, c.$gt) > 0)) return false;
    if ('$gte' in c && !(compareIds(doc._id, c.$gte) >= 0)) return false;
    if ('$lt' in c && !(compareIds(doc._id, c.$lt) < 0)) return false;
    if ('$lte' in c && !(compareIds(doc._id, c.$lte) <= 0)) return false;
  }
  return true;
}

/**
 * A cursor over stored BSON bytes that behaves like the driver's: documents arrive in batches of
 * `batchSize` (buffered, then read without waiting), decoded as the driver decodes them or, with
 * `raw`, handed over as their bytes.
 */
export class BytesCursor implements SourceCursor {
  private i: number;
  private fetched: number;
  constructor(private readonly bytesAt: (i: number) => Uint8Array, from: number, private readonly to: number, private readonly options: { raw?: boolean; batchSize?: number } = {}) {
    this.i = from;
    this.fetched = from;
  }
  private read(): Document {
    const bytes = this.bytesAt(this.i++);
    return this.options.raw ? (bytes as unknown as Document) : decodeSourceDocument(bytes);
  }
  async hasNext(): Promise<boolean> {
    if (this.bufferedCount() === 0) this.fetched = Math.min(this.to, this.i + (this.options.batchSize ?? 1000));
    return this.bufferedCount() > 0;
  }
  bufferedCount(): number {
    return this.fetched - this.i;
  }
  readBufferedDocuments(count?: number): Document[] {
    const docs: Document[] = [];
    while (this.bufferedCount() > 0 && docs.length < (count ?? Number.POSITIVE_INFINITY)) docs.push(this.read());
    return docs;
  }
  async next(): Promise<Document | null> {
    return (await this.hasNext()) ? this.read() : null;
  }
  async close(): Promise<void> {
    this.i = this.to;
    this.fetched = this.to;
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Document> {
    for (let doc = await this.next(); doc !== null; doc = await this.next()) yield doc;
  }
}

/** A source of documents given as BSON bytes with their `_id`s. */
export function bytesSource(collections: Record<string, Array<{ id: unknown; bytes: Uint8Array }>>): SourceDb {
  const collection = (name: string): SourceCollectionApi => {
    const all = [...(collections[name] ?? [])].sort((a, b) => compareIds(a.id, b.id));
    const select = (filter: Document): typeof all => all.filter((e) => matches({ _id: e.id }, filter));
    return {
      find(filter: Document, options: FindOptions = {}) {
        let rows = select(filter);
        if (options.skip) rows = rows.slice(options.skip);
        if (options.limit !== undefined) rows = rows.slice(0, options.limit);
        return new BytesCursor((i) => (rows[i] as { bytes: Uint8Array }).bytes, 0, rows.length, options);
      },
      countDocuments: async (filter: Document = {}) => select(filter).length,
      estimatedDocumentCount: async () => all.length,
    };
  };
  return { collection, listCollections: () => ({ toArray: async () => Object.keys(collections).map((name) => ({ name })) }) };
}

export function memorySource(collections: Record<string, Document[]>): SourceDb {
  return bytesSource(Object.fromEntries(Object.entries(collections).map(([name, docs]) => [name, docs.map((d) => ({ id: d._id, bytes: BSON.serialize(d) }))])));
}
