/** Everything an engine needs, passed down once from `main`. */
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { DataSetStats } from '../report/stats.js';
import type { Pool } from '../sink/postgres.js';
import type { SourceDb } from '../source/source-db.js';
import type { KnownIds } from './integrity.js';

export type Phase = 'preflight' | 'schema' | 'records' | 'bulk' | 'catch-up' | 'verify' | 'done' | 'failed';

export interface TaskCounts {
  successful: number;
  failed: number;
  skipped: number;
  /**
   * Bulk phase: documents read and transformed into the COPY chunk still running, not committed
   * yet (and so in none of the counts above). Progress lines count them as done.
   */
  inChunk?: number;
}

/**
 * Receives the run's progress: the log's progress lines, Job annotations and Pushgateway metrics
 * all hang off this. Implementations must never throw into the migration.
 */
export interface ProgressSink {
  phase(phase: Phase): void;
  taskStarted(task: string, phase: 'records' | 'bulk', total: number): void;
  taskProgress(task: string, counts: TaskCounts): void;
  taskFinished(stats: DataSetStats): void;
  /** Verification: `checked` source records of a data set so far (of `total`, null when unknown). */
  verifyProgress?(dataSet: string, checked: number, total: number | null): void;
  runFinished(result: { ok: boolean; summary: string; stats: readonly DataSetStats[] }): Promise<void>;
}

export interface EngineContext {
  config: Config;
  db: SourceDb;
  pool: Pool;
  logger: Logger;
  redact: Redactor;
  signal: AbortSignal;
  /** Keys of records migrated so far, for reference checks. */
  known: KnownIds;
  progress?: ProgressSink;
}
