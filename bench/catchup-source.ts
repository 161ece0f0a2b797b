/**
 * The catch-up benchmark's source (bench/catchup.ts): usage records (bench/bson-source.ts) and
 * test workflow executions (bench/executions-source.ts) generated in process, that can then change
 * as a live control plane changes between pre-copy and cutover: the oldest documents deleted
 * (retention), new ones appended (ascending `_id`s), executions updated in place. Answers what the
 * bulk engine and catch-up ask: `_id` range and type filters, `$in` on `_id`, ascending sort,
 * skip/limit, counts, and a projection on `_id` alone (as a server would, only the `_id` travels).
 */
import { BSON, ObjectId, type Document } from 'mongodb';
import type { FindOptions, SourceCollectionApi, SourceDb } from '../app/source/source-db.js';
import { BytesCursor } from '../test/helpers/bson-source.js';
import { bounds, idOf } from './bson-source.js';

/** A collection of documents 0..size-1 (document i's `_id` is idOf(i)) minus the deleted ones. */
export class ChangingCollection implements SourceCollectionApi {
  private live: Int32Array;

  constructor(
    private size: number,
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

  /** Positions in `live` of the indexes in [from, to). */
  private span(from: number, to: number): [number, number] {
    const lower = (x: number): number => {
      let lo = 0;
      let hi = this.live.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.live[mid] as number) < x) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    return [lower(from), lower(to)];
  }

  /** What a filter selects: a list of indexes (`$in`), or a span of positions in `live`. */
  private select(filter: Document): { list: number[] } | { span: [number, number] } {
    const inIds = (filter._id as Document | undefined)?.$in as ObjectId[] | undefined;
    if (inIds) {
      const wanted = new Set(inIds.map((id) => Number(Buffer.from(id.id).readBigUInt64BE(4))));
      return { list: [...wanted].filter((i) => i < this.size && this.live[this.span(i, i + 1)[0]] === i).sort((x, y) => x - y) };
    }
    const [from, to] = bounds(filter, this.size);
    return { span: this.span(from, to) };
  }

  find(filter: Document, options: FindOptions = {}): BytesCursor {
    const selected = this.select(filter);
    const indexAt = 'list' in selected ? (k: number): number => selected.list[k] as number : (k: number): number => this.live[k] as number;
    let [from, to] = 'list' in selected ? [0, selected.list.length] : selected.span;
    from += options.skip ?? 0;
    if (options.limit !== undefined) to = Math.min(to, from + options.limit);
    const onlyId = options.projection !== undefined && Object.keys(options.projection).length === 1 && options.projection._id === 1;
    return new BytesCursor((k) => (onlyId ? idOnly(indexAt(k)) : this.bytesOf(indexAt(k))), Math.min(from, to), to, options);
  }

  async countDocuments(filter: Document = {}): Promise<number> {
    const selected = this.select(filter);
    return 'list' in selected ? selected.list.length : selected.span[1] - selected.span[0];
  }

  async estimatedDocumentCount(): Promise<number> {
    return this.live.length;
  }
}

/** `{_id: idOf(i)}` as BSON. */
function idOnly(i: number): Uint8Array {
  return BSON.serialize({ _id: idOf(i) });
}

/** A source of named collections; any other name is an empty collection. */
export function changingSource(collections: Record<string, SourceCollectionApi>): SourceDb {
  const empty = new ChangingCollection(0, () => new Uint8Array());
  return {
    collection: (name: string) => collections[name] ?? empty,
    listCollections: () => ({ toArray: async () => Object.keys(collections).map((name) => ({ name })) }),
  };
}
