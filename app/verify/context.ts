/** What the verifier needs, and what it accumulates per table across data sets. */
import type { Config } from '../config/load.js';
import type { TableSpec } from '../datasets/types.js';
import type { Logger } from '../log/logger.js';
import type { PoolClient } from '../sink/postgres.js';
import type { SourceDb } from '../source/source-db.js';
import type { Equivalence } from './reproducible.js';
import { tableShape, type TableShape } from './table-shape.js';

export interface VerifyOptions {
  /** Data sets with at most this many source records are re-transformed and compared in full. */
  fullLimit: number;
  /** Records compared per larger data set, spread over its collections. */
  sampleSize: number;
  /** Seed of the sample's random offsets (logged, so a sample can be drawn again). */
  seed: number;
  /** Rows per comparison query. */
  batchSize: number;
  /** Problems listed per data set; the rest are counted. */
  maxProblems: number;
  /** Keys remembered to name extra rows; beyond this, extra rows are counted only. */
  maxTrackedKeys: number;
  /**
   * Catch-up (issue 17): per data set, the source documents it wrote. Such a data set, when larger
   * than sampleSize, is verified in mode 'changed': every one of those documents, plus the usual
   * sample of the rest, plus its main table's row count, instead of every document.
   */
  changed?: ReadonlyMap<string, ChangedRecords>;
}

/** Source `_id`s per collection name. */
export type ChangedRecords = ReadonlyMap<string, readonly unknown[]>;

export const DEFAULT_VERIFY_OPTIONS: Readonly<VerifyOptions> = Object.freeze({
  fullLimit: 200_000,
  sampleSize: 1_000,
  seed: 1,
  batchSize: 500,
  maxProblems: 20,
  maxTrackedKeys: 1_000_000,
});

/** Expected content of one table, summed over the data sets (and records) that write it. */
export interface TableExpectation {
  spec: TableSpec;
  dataSets: Set<string>;
  /** undefined once a contributor is only sampled (its row count is not known exactly). */
  rows: number | undefined;
  /** Sum of row hashes; undefined when not every row was re-transformed. */
  digest: bigint | undefined;
  /** Columns left out of comparison and digest (non-reproducible). */
  uncompared: Set<string>;
  /** Keys of expected rows, to name extra rows; null once over the budget. */
  keys: Set<string> | null;
  /** Row-level problems were already reported for this table. */
  rowProblems: boolean;
}

export type VerifyProgress = (dataSet: string, checked: number, total: number | null) => void;

export interface VerifyContext {
  config: Config;
  db: SourceDb;
  /** One session: every comparison runs under the same settings. */
  pool: PoolClient;
  logger: Logger;
  signal: AbortSignal;
  options: VerifyOptions;
  equivalences: ReadonlyMap<string, Equivalence>;
  tables: Map<string, TableExpectation>;
  shapes: Map<string, TableShape>;
  /** Keys remembered so far over all tables (bounded by options.maxTrackedKeys). */
  trackedKeys: number;
  /** Told, after each batch, how many source records of a data set were checked (of `total`, null when not known up front). */
  onProgress?: VerifyProgress;
}

export async function shapeOf(vctx: VerifyContext, spec: TableSpec): Promise<TableShape> {
  let shape = vctx.shapes.get(spec.table);
  if (!shape) {
    shape = await tableShape(vctx.pool, spec);
    vctx.shapes.set(spec.table, shape);
  }
  return shape;
}

export function expectationOf(vctx: VerifyContext, spec: TableSpec, dataSet: string): TableExpectation {
  let t = vctx.tables.get(spec.table);
  if (!t) {
    t = { spec, dataSets: new Set(), rows: 0, digest: 0n, uncompared: new Set(), keys: new Set(), rowProblems: false };
    vctx.tables.set(spec.table, t);
  }
  t.dataSets.add(dataSet);
  return t;
}

export function trackKey(vctx: VerifyContext, t: TableExpectation, key: string | null): void {
  if (t.keys === null || key === null) return;
  if (vctx.trackedKeys >= vctx.options.maxTrackedKeys) {
    // Over budget: extra rows will be counted, not named.
    for (const other of vctx.tables.values()) other.keys = null;
    return;
  }
  t.keys.add(key);
  vctx.trackedKeys++;
}
