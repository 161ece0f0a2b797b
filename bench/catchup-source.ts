/**
 * The catch-up benchmark's source (bench/catchup.ts): usage records and test workflow executions
 * generated in process (templates of bench/bson-source.ts and bench/executions-source.ts), that can
 * then change as a live control plane changes between pre-copy and cutover: the oldest documents
 * deleted (retention), new ones appended, executions updated in place. Document i's `_id` carries
 * a creation second that grows with i (documents spread over `days`), so `_id`s sort by i and a
 * time window selects the newest documents, as in a real collection. Answers what the bulk engine
 * and catch-up ask: `_id` range and type filters, `$in` on `_id`, ascending sort, skip/limit,
 * counts, and a projection on `_id` alone (as a server would, only the `_id` travels).
 */
import { BSON, ObjectId, type Document } from 'mongodb';
import type { FindOptions, SourceCollectionApi, SourceDb } from '../app/source/source-db.js';
import { BytesCursor } from '../test/helpers/bson-source.js';

/** `_id` of document i of `count` spread over `days`: creation second, 0, then i (4 + 4 + 4 bytes). */
export function spreadId(i: number, count: number, days: number): ObjectId {
  const buf = Buffer.alloc(12);
  buf.writeUInt32BE(0x65000000 + Math.floor((i * days * 86_400) / Math.max(1, count)), 0);
  buf.writeUInt32BE(i >>> 0, 8);
  return new ObjectId(buf);
}

/** `_id` is the first element: int32 length, type byte 0x07, "_id\0", then the 12 id bytes. */
const ID_OFFSET = 4 + 1 + 4;

/** Bytes whose leading `_id` is replaced by `id`. */
export function withId(bytes: Buffer, id: ObjectId): Buffer {
  Buffer.from(id.id).copy(bytes, ID_OFFSET);
  return bytes;
}

/** A collection of documents 0..size-1 (document i's `_id` is idOf(i), ascending in i) minus the deleted ones. */
export class ChangingCollection implements SourceCollectionApi {
  private live: Int32Array;

  constructor(
    private size: number,
    private readonly idOf: (i: number) => ObjectId,
    private readonly bytesOf: (i: number) => Uint8Array,
  ) {
    this.live = Int32Array.from({ length: size }, (_, i) => i);
  }

  /** Deletes the given documents and appends `added` new ones (ids after every existing one). */
  change(deleted: ReadonlySet<number>, added: number): void {
    this.size += added;
    const live: number[] = [];
    for (let i = 0; i < this.size; i++) if (!deleted.has(i)) live.push(i);
    this.live = Int32Array.from(live);
  }

  get count(): number {
    return this.live.length;
  }

  /** First position in `live` whose id is ≥ (or, `strict`, >) `id`. */
  private position(id: ObjectId, strict: boolean): number {
    const want = id.toHexString();
    let lo = 0;
    let hi = this.live.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const have = this.idOf(this.live[mid] as number).toHexString();
      if (have < want || (strict && have === want)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** What a filter selects: a list of indexes (`$in`), or a span of positions in `live`. */
  private select(filter: Document): { list: number[] } | { span: [number, number] } {
    let from = 0;
    let to = this.live.length;
    let list: number[] | null = null;
    const visit = (f: Document): void => {
      if (Array.isArray(f.$and)) for (const part of f.$and as Document[]) visit(part);
      const c = f._id as Document | undefined;
      if (!c) return;
      if (c.$not !== undefined || (c.$type !== undefined && c.$type !== 'objectId')) to = -1;
      if (Array.isArray(c.$in)) {
        list = [];
        for (const id of c.$in as ObjectId[]) {
          const p = this.position(id, false);
          const i = this.live[p];
          if (i !== undefined && this.idOf(i).toHexString() === id.toHexString()) list.push(i);
        }
      }
      if (c.$gt instanceof ObjectId) from = Math.max(from, this.position(c.$gt, true));
      if (c.$gte instanceof ObjectId) from = Math.max(from, this.position(c.$gte, false));
      if (c.$lte instanceof ObjectId) to = Math.min(to, this.position(c.$lte, true));
      if (c.$lt instanceof ObjectId) to = Math.min(to, this.position(c.$lt, false));
    };
    visit(filter);
    if (list !== null) return { list: [...new Set(list as number[])].sort((x, y) => x - y) };
    return { span: [from, Math.max(from, to)] };
  }

  find(filter: Document, options: FindOptions = {}): BytesCursor {
    const selected = this.select(filter);
    const indexAt = 'list' in selected ? (k: number): number => selected.list[k] as number : (k: number): number => this.live[k] as number;
    let [from, to] = 'list' in selected ? [0, selected.list.length] : selected.span;
    from += options.skip ?? 0;
    if (options.limit !== undefined) to = Math.min(to, from + options.limit);
    const onlyId = options.projection !== undefined && Object.keys(options.projection).length === 1 && options.projection._id === 1;
    return new BytesCursor((k) => (onlyId ? BSON.serialize({ _id: this.idOf(indexAt(k)) }) : this.bytesOf(indexAt(k))), Math.min(from, to), to, options);
  }

  async countDocuments(filter: Document = {}): Promise<number> {
    const selected = this.select(filter);
    return 'list' in selected ? selected.list.length : selected.span[1] - selected.span[0];
  }

  async estimatedDocumentCount(): Promise<number> {
    return this.live.length;
  }
}

/** A source of named collections; any other name is an empty collection. */
export function changingSource(collections: Record<string, SourceCollectionApi>): SourceDb {
  const empty = new ChangingCollection(0, () => new ObjectId(), () => new Uint8Array());
  return {
    collection: (name: string) => collections[name] ?? empty,
    listCollections: () => ({ toArray: async () => Object.keys(collections).map((name) => ({ name })) }),
  };
}

/**
 * A small collection held as documents (record-level data sets: users, organisations,
 * environments), every one read in `_id` order. Answers what record-level migration, catch-up and
 * verification ask of such a collection: everything, `_id` `$in`, skip/limit, counts; any other
 * filter is refused (thrown), so a query it cannot answer is not silently answered wrong.
 */
export class DocumentCollection implements SourceCollectionApi {
  private docs: Document[] = [];

  constructor(docs: readonly Document[]) {
    this.set(docs);
  }

  /** Replaces the documents (the application's inserts, updates and deletes). */
  set(docs: readonly Document[]): void {
    const key = (d: Document): string => (d._id instanceof ObjectId ? d._id.toHexString() : String(d._id));
    this.docs = [...docs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  get all(): readonly Document[] {
    return this.docs;
  }

  private select(filter: Document): Document[] {
    const keys = Object.keys(filter);
    if (keys.length === 0) return this.docs;
    const c = filter._id as Document | undefined;
    if (keys.length === 1 && c && Object.keys(c).length === 1 && Array.isArray(c.$in)) {
      const want = new Set((c.$in as unknown[]).map(String));
      return this.docs.filter((d) => want.has(String(d._id)));
    }
    throw new Error(`the benchmark's document collection cannot answer the filter ${JSON.stringify(filter)}`);
  }

  find(filter: Document = {}, options: FindOptions = {}): BytesCursor {
    const docs = this.select(filter);
    const from = Math.min(options.skip ?? 0, docs.length);
    const to = options.limit !== undefined && options.limit > 0 ? Math.min(docs.length, from + options.limit) : docs.length;
    const onlyId = options.projection !== undefined && Object.keys(options.projection).length === 1 && options.projection._id === 1;
    return new BytesCursor((k) => BSON.serialize(onlyId ? { _id: (docs[k] as Document)._id } : (docs[k] as Document)), from, to, options);
  }

  async countDocuments(filter: Document = {}): Promise<number> {
    return this.select(filter).length;
  }

  async estimatedDocumentCount(): Promise<number> {
    return this.docs.length;
  }
}
