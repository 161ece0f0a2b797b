/**
 * An in-process BSON source with the engine's SourceDb interface: `count` usage documents as BSON
 * bytes, handed over in batches like the driver's (raw, or decoded exactly as the driver decodes
 * wire documents), so the benchmark measures mongo2pg's pipeline rather than a server's disk. The bytes come from 1024 serialized
 * templates whose `_id` is patched in place to document i's id (ids stay unique and ascending).
 * Supports what the bulk engine asks of a collection: `_id` range filters, ascending `_id` sort,
 * skip/limit, counts.
 */
import { BSON, ObjectId, type Document } from 'mongodb';
import type { FindOptions, SourceCollectionApi, SourceDb } from '../app/source/source-db.js';
import { BytesCursor } from '../test/helpers/bson-source.js';

const METRICS = ['execution_minutes', 'storage_bytes', 'api_calls', 'agent_hours'];

/** _id of document i: a fixed 4-byte timestamp, then i as an 8-byte big-endian counter. */
export function idOf(i: number): ObjectId {
  const buf = Buffer.alloc(12);
  buf.writeUInt32BE(0x65000000, 0);
  buf.writeBigUInt64BE(BigInt(i), 4);
  return new ObjectId(buf);
}

function indexOf(id: ObjectId): number {
  return Number(Buffer.from(id.id).readBigUInt64BE(4));
}

export function usageDoc(i: number): Document {
  return {
    _id: idOf(i),
    organizationId: `tkcorg_${(i % 97).toString(16).padStart(16, '0')}`,
    environmentId: i % 5 === 0 ? null : `tkcenv_${(i % 389).toString(16).padStart(16, '0')}`,
    metric: METRICS[i % METRICS.length],
    value: i % 3 === 0 ? (i % 1000) / 4 : i % 1000,
    timestamp: new Date(1_700_000_000_000 + i * 1000),
    labels: { runner: `runner-${i % 7}`, workflow: `wf-${i % 53}` },
  };
}

/** Index bounds [from, to) selected by a filter of the shape the bulk engine builds. */
export function bounds(filter: Document, count: number): [number, number] {
  let from = 0;
  let to = count;
  const visit = (f: Document): void => {
    if (Array.isArray(f.$and)) for (const part of f.$and as Document[]) visit(part);
    const id = f._id as Document | undefined;
    if (!id) return;
    // Every `_id` here is an ObjectId: another type bracket (or the catch-all) selects nothing.
    if (id.$not !== undefined || (id.$type !== undefined && id.$type !== 'objectId')) to = -1;
    if (id.$gt instanceof ObjectId) from = Math.max(from, indexOf(id.$gt) + 1);
    if (id.$gte instanceof ObjectId) from = Math.max(from, indexOf(id.$gte));
    if (id.$lte instanceof ObjectId) to = Math.min(to, indexOf(id.$lte) + 1);
    if (id.$lt instanceof ObjectId) to = Math.min(to, indexOf(id.$lt));
  };
  visit(filter);
  return [from, Math.max(from, to)];
}

const TEMPLATES = Array.from({ length: 1024 }, (_, i) => Buffer.from(BSON.serialize(usageDoc(i))));
/** `_id` is the first element: int32 length, type byte 0x07, "_id\0", then the 12 id bytes. */
const ID_OFFSET = 4 + 1 + 4;

/**
 * Document i's bytes: a copy of its template (a driver too hands out one buffer per document) with
 * the counter part of the id set to i; the templates' ids already carry idOf's timestamp.
 */
export function copyWithId(templates: readonly Buffer[], i: number): Buffer {
  const bytes = Buffer.from(templates[i % templates.length] as Buffer);
  bytes.writeUInt32BE(Math.floor(i / 2 ** 32), ID_OFFSET + 4);
  bytes.writeUInt32BE(i >>> 0, ID_OFFSET + 8);
  return bytes;
}

/** A collection of `count` documents, document i's bytes from `bytesOf(i)`, answering `_id` range filters. */
export function rangeCollection(count: number, bytesOf: (i: number) => Uint8Array): SourceCollectionApi {
  return {
    find(filter: Document, options: FindOptions = {}) {
      let [from, to] = bounds(filter, count);
      from += options.skip ?? 0;
      if (options.limit !== undefined) to = Math.min(to, from + options.limit);
      return new BytesCursor(bytesOf, Math.min(from, to), to, options);
    },
    countDocuments: async (filter: Document = {}) => {
      const [from, to] = bounds(filter, count);
      return to - from;
    },
    estimatedDocumentCount: async () => count,
  };
}

/** Usage record i's BSON bytes. */
export function usageBytes(i: number): Buffer {
  return copyWithId(TEMPLATES, i);
}

export function bsonSource(count: number): SourceDb {
  const usage = rangeCollection(count, (i) => copyWithId(TEMPLATES, i));
  return {
    collection(name: string) {
      if (name !== 'usage') throw new Error(`the benchmark source has only the usage collection, not ${name}`);
      return usage;
    },
    listCollections: () => ({ toArray: async () => [{ name: 'usage' }] }),
  };
}
