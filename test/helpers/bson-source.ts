/**
 * An in-memory source with the engine's SourceDb interface, for documents a MongoDB-wire test
 * server cannot store (FerretDB v1 refuses dotted keys, Decimal128, NaN …). Every document is
 * kept as BSON bytes and decoded on read with the driver's own options, so the engine sees exactly
 * what the driver would hand it. Supports what the engines ask: `_id` range filters (`$gt`, `$gte`,
 * `$lt`, `$lte`, `$and`), ascending `_id` sort, skip/limit, counts, collection listing.
 */
import { BSON, ObjectId, type Document } from 'mongodb';
import type { FindOptions, SourceCollectionApi, SourceCursor, SourceDb } from '../../app/source/source-db.js';

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

function matches(doc: Document, filter: Document): boolean {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and') {
      if (!(cond as Document[]).every((f) => matches(doc, f))) return false;
      continue;
    }
    if (key !== '_id') throw new Error(`the in-memory source filters on _id only, not ${key}`);
    const c = cond as Document;
    if ('$gt' in c && !(compareIds(doc._id, c.$gt) > 0)) return false;
    if ('$gte' in c && !(compareIds(doc._id, c.$gte) >= 0)) return false;
    if ('$lt' in c && !(compareIds(doc._id, c.$lt) < 0)) return false;
    if ('$lte' in c && !(compareIds(doc._id, c.$lte) <= 0)) return false;
  }
  return true;
}

class MemoryCursor implements SourceCursor {
  private i = 0;
  constructor(private readonly items: Uint8Array[]) {}
  async next(): Promise<Document | null> {
    const bytes = this.items[this.i++];
    return bytes ? BSON.deserialize(bytes, { promoteLongs: false }) : null;
  }
  async close(): Promise<void> {
    this.i = this.items.length;
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Document> {
    for (let doc = await this.next(); doc !== null; doc = await this.next()) yield doc;
  }
}

export function memorySource(collections: Record<string, Document[]>): SourceDb {
  const stored = new Map(Object.entries(collections).map(([name, docs]) => [name, docs.map((d) => ({ id: d._id, bytes: BSON.serialize(d) }))]));
  const collection = (name: string): SourceCollectionApi => {
    const all = [...(stored.get(name) ?? [])].sort((a, b) => compareIds(a.id, b.id));
    const select = (filter: Document): typeof all => all.filter((e) => matches({ _id: e.id }, filter));
    return {
      find(filter: Document, options: FindOptions = {}) {
        let rows = select(filter);
        if (options.skip) rows = rows.slice(options.skip);
        if (options.limit !== undefined) rows = rows.slice(0, options.limit);
        return new MemoryCursor(rows.map((r) => r.bytes));
      },
      countDocuments: async (filter: Document = {}) => select(filter).length,
      estimatedDocumentCount: async () => all.length,
    };
  };
  return { collection, listCollections: () => ({ toArray: async () => [...stored.keys()].map((name) => ({ name })) }) };
}
