/**
 * Durable failure records: every failed or skipped source record of this target's migration, one
 * row per (data set, collection, record id) in mongo2pg.failed_records. Bulk chunks write theirs
 * in the transaction that commits the chunk's rows and watermark, so a record is counted, stored
 * and reported together or not at all; the record phase, which is redone whole on every run,
 * clears a data set's records when it starts it. The `<name>_migration_errors.log` files are
 * rendered from this table, and verification counts from it, never from files in the work dir
 * (issue 13, D3/D4: a stale file hid missing records; a pod's files were lost with it).
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FailedRecord } from './error-report.js';
import { emptyTally, tallyRecord, type ReportTally } from './stats.js';
import type { PoolClient } from '../sink/postgres.js';

export const FAILURES_TABLE = 'mongo2pg.failed_records';

type Queryable = Pick<PoolClient, 'query'>;

export async function ensureFailureTable(client: Queryable): Promise<void> {
  await client.query('CREATE SCHEMA IF NOT EXISTS mongo2pg');
  await client.query(`CREATE TABLE IF NOT EXISTS ${FAILURES_TABLE} (
    data_set    text NOT NULL,
    collection  text NOT NULL,
    record_id   text NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('failed', 'skipped')),
    code        text NOT NULL,
    error       text NOT NULL,
    context     jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (data_set, collection, record_id)
  )`);
}

export function outcomeOf(r: FailedRecord): 'failed' | 'skipped' {
  return r.context?.skipped === true || r.code === 'SKIPPED' ? 'skipped' : 'failed';
}

/**
 * Stores records (the last outcome of a record wins), in the caller's transaction. `redact` is
 * applied to error texts, which may quote source values.
 */
export async function storeFailures(client: Queryable, dataSet: string, records: readonly FailedRecord[], redact: (s: string) => string): Promise<void> {
  // One statement per few thousand records; a record twice in one statement would be refused.
  const unique = new Map<string, FailedRecord>();
  for (const r of records) unique.set(`${collectionOf(r)}\u0000${r.id}`, r);
  const all = [...unique.values()];
  for (let from = 0; from < all.length; from += 5000) {
    const part = all.slice(from, from + 5000);
    await client.query(
      `INSERT INTO ${FAILURES_TABLE} (data_set, collection, record_id, outcome, code, error, context)
       SELECT $1, c, i, o, k, e, x::jsonb FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(c, i, o, k, e, x)
       ON CONFLICT (data_set, collection, record_id) DO UPDATE SET outcome = EXCLUDED.outcome, code = EXCLUDED.code,
         error = EXCLUDED.error, context = EXCLUDED.context, recorded_at = EXCLUDED.recorded_at`,
      [
        dataSet,
        part.map(collectionOf),
        part.map((r) => r.id),
        part.map(outcomeOf),
        part.map((r) => r.code),
        part.map((r) => redact(r.error)),
        part.map((r) => JSON.stringify(r.context ?? {})),
      ],
    );
  }
}

function collectionOf(r: FailedRecord): string {
  return typeof r.context?.collection === 'string' ? r.context.collection : '';
}

/** Forgets a data set's records: the record phase starts a data set over on every run. */
export async function clearFailures(client: Queryable, dataSet: string): Promise<void> {
  await client.query(`DELETE FROM ${FAILURES_TABLE} WHERE data_set = $1`, [dataSet]);
}

export interface StoredFailure {
  id: string;
  collection: string;
  outcome: 'failed' | 'skipped';
  code: string;
  error: string;
  context: Record<string, unknown>;
  recordedAt: Date;
}

interface Row {
  collection: string;
  record_id: string;
  outcome: 'failed' | 'skipped';
  code: string;
  error: string;
  context: Record<string, unknown>;
  recorded_at: Date;
}

/** A data set's stored records, page by page in key order; none when the table does not exist (nothing was written yet). */
export async function* readFailures(client: Queryable, dataSet: string, pageSize = 5000): AsyncGenerator<StoredFailure> {
  const exists = await client.query<{ present: boolean }>(`SELECT to_regclass('${FAILURES_TABLE}') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return;
  let after: [string, string] | null = null;
  for (;;) {
    const { rows }: { rows: Row[] } = await client.query<Row>(
      `SELECT collection, record_id, outcome, code, error, context, recorded_at FROM ${FAILURES_TABLE}
        WHERE data_set = $1 AND ($2::text IS NULL OR (collection, record_id) > ($2, $3))
        ORDER BY collection, record_id LIMIT ${pageSize}`,
      [dataSet, after?.[0] ?? null, after?.[1] ?? null],
    );
    for (const r of rows) yield { id: r.record_id, collection: r.collection, outcome: r.outcome, code: r.code, error: r.error, context: r.context, recordedAt: r.recorded_at };
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1] as Row;
    after = [last.collection, last.record_id];
  }
}

/**
 * Writes `<name>_migration_errors.log` afresh from the stored records (one JSON line each: id,
 * time, error, code, data set, context); removes a file left by an earlier run when there are
 * none. Returns how many lines it wrote and their counts by outcome and reason code.
 */
export async function renderReport(client: Queryable, path: string, dataSet: string): Promise<ReportTally> {
  let lines: string[] = [];
  let written = 0;
  const tally = emptyTally();
  let started = false;
  const flush = (): void => {
    if (lines.length === 0) return;
    if (!started) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, lines.join(''));
      started = true;
    } else appendFileSync(path, lines.join(''));
    lines = [];
  };
  for await (const f of readFailures(client, dataSet)) {
    written++;
    tallyRecord(tally, f.outcome, f.code, f.context);
    lines.push(`${JSON.stringify({ id: f.id, timestamp: f.recordedAt.toISOString(), error: f.error, code: f.code, data_set: dataSet, context: f.context })}\n`);
    if (lines.length >= 5000) flush();
  }
  flush();
  if (written === 0) rmSync(path, { force: true });
  return tally;
}
