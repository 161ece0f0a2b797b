/**
 * Durable progress of the bulk phase: one row per (data set, source range) in
 * mongo2pg.bulk_progress, advanced in the same transaction as the rows it accounts for.
 * `_id` values are stored as canonical Extended JSON so their exact BSON type survives.
 */
import { BSON, type Document } from '../source/bson.js';
import type { PoolClient } from '../sink/postgres.js';

export const PROGRESS_TABLE = 'mongo2pg.bulk_progress';

type Queryable = Pick<PoolClient, 'query'>;

export interface RangeProgress {
  /** Stable key of the range: the collection, plus `#i/k` when split. */
  source: string;
  collection: string;
  /** The `_id` type bracket the range covers (id-brackets.ts); its bounds are of that type. */
  bracket: string;
  /** Exclusive lower and inclusive upper `_id` bound; undefined = open. */
  lo: unknown;
  hi: unknown;
  lastId: unknown;
  done: boolean;
  migrated: number;
  failed: number;
  skipped: number;
}

export async function ensureProgressTable(client: Queryable): Promise<void> {
  await client.query('CREATE SCHEMA IF NOT EXISTS mongo2pg');
  await client.query(`CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (
    data_set   text NOT NULL,
    source     text NOT NULL,
    collection text NOT NULL,
    id_type    text NOT NULL,
    range_lo   jsonb,
    range_hi   jsonb,
    last_id    jsonb,
    done       boolean NOT NULL DEFAULT false,
    migrated   bigint NOT NULL DEFAULT 0,
    failed     bigint NOT NULL DEFAULT 0,
    skipped    bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (data_set, source)
  )`);
}

export function encodeId(id: unknown): string | null {
  return id === undefined ? null : JSON.stringify(BSON.EJSON.serialize({ id }, { relaxed: false }));
}

export function decodeId(json: unknown): unknown {
  return json === null || json === undefined ? undefined : (BSON.EJSON.deserialize(json as Document, { relaxed: false }) as { id: unknown }).id;
}

interface ProgressRow {
  source: string;
  collection: string;
  id_type: string;
  range_lo: unknown;
  range_hi: unknown;
  last_id: unknown;
  done: boolean;
  migrated: string;
  failed: string;
  skipped: string;
}

function fromRow(row: ProgressRow): RangeProgress {
  return {
    source: row.source,
    collection: row.collection,
    bracket: row.id_type,
    lo: decodeId(row.range_lo),
    hi: decodeId(row.range_hi),
    lastId: decodeId(row.last_id),
    done: row.done,
    migrated: Number(row.migrated),
    failed: Number(row.failed),
    skipped: Number(row.skipped),
  };
}

/** The ranges already planned for one collection of a data set (empty on a first run). */
export async function readRanges(client: Queryable, dataSet: string, collection: string): Promise<RangeProgress[]> {
  const { rows } = await client.query<ProgressRow>(
    `SELECT source, collection, id_type, range_lo, range_hi, last_id, done, migrated, failed, skipped
       FROM ${PROGRESS_TABLE} WHERE data_set = $1 AND collection = $2 ORDER BY source`,
    [dataSet, collection],
  );
  return rows.map(fromRow);
}

export async function readRange(client: Queryable, dataSet: string, source: string): Promise<RangeProgress | undefined> {
  const { rows } = await client.query<ProgressRow>(
    `SELECT source, collection, id_type, range_lo, range_hi, last_id, done, migrated, failed, skipped
       FROM ${PROGRESS_TABLE} WHERE data_set = $1 AND source = $2`,
    [dataSet, source],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function writeRange(client: Queryable, dataSet: string, p: RangeProgress): Promise<void> {
  await client.query(
    `INSERT INTO ${PROGRESS_TABLE} (data_set, source, collection, id_type, range_lo, range_hi, last_id, done, migrated, failed, skipped, updated_at)
     VALUES ($1, $2, $3, $11, $4, $5, $6, $7, $8, $9, $10, now())
     ON CONFLICT (data_set, source) DO UPDATE SET last_id = EXCLUDED.last_id, done = EXCLUDED.done,
       migrated = EXCLUDED.migrated, failed = EXCLUDED.failed, skipped = EXCLUDED.skipped, updated_at = now()`,
    [dataSet, p.source, p.collection, encodeId(p.lo), encodeId(p.hi), encodeId(p.lastId), p.done, p.migrated, p.failed, p.skipped, p.bracket],
  );
}
