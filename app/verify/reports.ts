/**
 * The records this target's migration reported as failed or skipped: one outcome per record,
 * keyed by collection and id (ids repeat across per-organisation collections). A record reported
 * by an earlier run may have migrated since: whether a reported record is really absent from the
 * target is decided by the verifier, not here.
 */
import { readFailures } from '../report/failure-records.js';
import type { PoolClient } from '../sink/postgres.js';

export type ReportedOutcome = 'failed' | 'skipped';

export interface ReportedRecord {
  id: string;
  collection: string | undefined;
  outcome: ReportedOutcome;
  code: string;
  error: string;
}

export class ReportedRecords {
  private readonly byKey = new Map<string, ReportedRecord>();

  static key(collection: string | undefined, id: string): string {
    return `${collection ?? ''}\u0000${id}`;
  }

  add(record: ReportedRecord): void {
    const key = ReportedRecords.key(record.collection, record.id);
    this.byKey.delete(key);
    this.byKey.set(key, record);
  }

  /** The record's outcome; a report line without a collection matches the id in any collection. */
  get(collection: string, id: string): ReportedRecord | undefined {
    return this.byKey.get(ReportedRecords.key(collection, id)) ?? this.byKey.get(ReportedRecords.key(undefined, id));
  }

  all(): IterableIterator<ReportedRecord> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }
}

/**
 * This target's failed and skipped records of a data set, from mongo2pg.failed_records
 * (failure-records.ts), never from files in the work dir: a file left by another run there
 * must not account for records this target lacks (issue 13, D3).
 */
export async function readReportedRecords(client: Pick<PoolClient, 'query'>, dataSet: string): Promise<ReportedRecords> {
  const out = new ReportedRecords();
  for await (const f of readFailures(client, dataSet)) {
    // A dry run stores nothing; a record it reported says nothing about the target.
    if (f.context.dry_run === true) continue;
    out.add({ id: f.id, collection: f.collection === '' ? undefined : f.collection, outcome: f.outcome, code: f.code, error: f.error });
  }
  return out;
}
