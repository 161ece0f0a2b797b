/**
 * Catch-up at cutover (issue 17): after a pre-copy `migrate` while the application still ran on
 * MongoDB, `catch-up` brings the target level with the source by touching only what changed.
 * The orchestrator (app/run/catch-up.ts) runs one handler per data set, in the migration's order
 * for inserts/updates and children-first for deletes; each handler returns what it changed.
 */
import type { EngineContext } from '../engine/context.js';
import type { ChangedRecords } from '../verify/context.js';

/** What catch-up did (or, in a dry run, would do) to one data set's records. */
export interface CatchUpCounts {
  /** Source records not in the target, now written. */
  inserted: number;
  /** Records whose target rows differed from the source and were rewritten (children replaced). */
  updated: number;
  /** Target records whose source document is gone, now removed (children first). */
  deleted: number;
  /** Records compared (or known by watermark/digest) to be equal, left alone. */
  unchanged: number;
  /** Source records that cannot be migrated (reported with id and reason, as `migrate` does). */
  failed: number;
  skipped: number;
}

/**
 * What a bulk handler changed in a table it alone writes, by rows: their number and the sum of
 * their row hashes as app/run/table-digests.ts computes them (inserted rows added, deleted rows
 * subtracted), counted only for what committed. The table's digest after the catch-up is then the
 * recorded one plus this, exactly, without reading the table again (app/catchup/ownership.ts).
 */
export interface DigestDelta {
  table: string;
  rows: bigint;
  sum: bigint;
}

/** What a bulk handler returns: its counts, its digest delta, and the source documents it wrote (for verification). */
export interface BulkCatchUpResult extends CatchUpCounts {
  digestDelta?: DigestDelta;
  /** Undefined when it wrote more than the tracker remembers (CHANGED_LIMIT). */
  changed?: ChangedRecords;
}

export interface CatchUpContext extends EngineContext {
  /** CONVERT_DRY_RUN: count what would change, write nothing. */
  dryRun: boolean;
}

export const NO_CHANGES: Readonly<CatchUpCounts> = Object.freeze({ inserted: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, skipped: 0 });
