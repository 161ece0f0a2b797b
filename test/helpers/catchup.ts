/** Catch-up in tests: a CatchUpContext from a test engine, and table digests to compare targets by. */
import type pg from 'pg';
import type { CatchUpContext } from '../../app/catchup/types.js';
import type { TableSpec } from '../../app/datasets/types.js';
import type { ProgressSink } from '../../app/engine/context.js';
import type { TestEngine } from './engine.js';

export function catchUpContext(engine: TestEngine, options: { dryRun?: boolean; signal?: AbortSignal; progress?: ProgressSink } = {}): CatchUpContext {
  return { ...engine.ctx, dryRun: options.dryRun ?? false, signal: options.signal ?? new AbortController().signal, ...(options.progress ? { progress: options.progress } : {}) };
}

/**
 * Row count and md5 of a table's rows in the columns the migration writes (ordered as text), so
 * columns the database fills itself (created_at DEFAULT now()) do not make equal targets differ.
 */
export async function tableDigest(pool: pg.Pool, spec: Pick<TableSpec, 'table' | 'columns'>): Promise<string> {
  const cols = spec.columns.map((c) => `"${c}"`).join(', ');
  const { rows } = await pool.query<{ n: number; d: string | null }>(`SELECT count(*)::int AS n, md5(string_agg(r, '|' ORDER BY r COLLATE "C")) AS d FROM (SELECT row(${cols})::text AS r FROM "${spec.table}") x`);
  return `${rows[0]?.n}:${rows[0]?.d}`;
}

export async function tableDigests(pool: pg.Pool, specs: ReadonlyArray<Pick<TableSpec, 'table' | 'columns'>>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const spec of specs) out[spec.table] = await tableDigest(pool, spec);
  return out;
}

/** A progress sink that only records, and can abort a run once a condition holds. */
export function recordingProgress(onProgress?: (task: string, done: number) => void): ProgressSink {
  return {
    phase: () => undefined,
    taskStarted: () => undefined,
    taskProgress: (task, counts) => onProgress?.(task, counts.successful + counts.failed + counts.skipped),
    taskFinished: () => undefined,
    runFinished: async () => undefined,
  };
}
