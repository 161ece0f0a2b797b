/** Counts and progress of one catch-up task: progress events, and a log line every PROGRESS_INTERVAL. */
import type { DataSetStats } from '../report/stats.js';
import type { ChangedRecords } from '../verify/context.js';
import { NO_CHANGES, type CatchUpContext, type CatchUpCounts } from './types.js';

/**
 * Source records remembered per task for catch-up's verification (app/verify/data-set.ts, mode
 * 'changed'); past this the task's data set is verified as `migrate` verifies it.
 */
export const CHANGED_LIMIT = 200_000;

/** Counts, progress events and a progress log line every PROGRESS_INTERVAL. */
export class CatchUpTracker {
  readonly counts: CatchUpCounts = { ...NO_CHANGES };
  /** `_id`s of the source documents written (inserted or updated), per collection; null past CHANGED_LIMIT. */
  private changed: Map<string, unknown[]> | null = new Map();
  private changedCount = 0;
  private readonly started = Date.now();
  private lastLog = Date.now();

  constructor(
    private readonly ctx: CatchUpContext,
    readonly name: string,
    total: number,
    sources: string,
  ) {
    ctx.logger.info('catch-up task started', { task: name, phase: 'bulk', source: sources, total, dry_run: ctx.dryRun });
    ctx.progress?.taskStarted(name, 'bulk', total);
  }

  /** Source records handled so far (the progress events' done count). */
  private handled(): number {
    const c = this.counts;
    return c.inserted + c.updated + c.unchanged + c.failed + c.skipped;
  }

  /** Remembers the `_id`s of source documents this task wrote, for verification. */
  wrote(collection: string, ids: readonly unknown[]): void {
    if (this.changed === null || ids.length === 0) return;
    this.changedCount += ids.length;
    if (this.changedCount > CHANGED_LIMIT) {
      this.changed = null;
      return;
    }
    const list = this.changed.get(collection) ?? [];
    list.push(...ids);
    this.changed.set(collection, list);
  }

  /** What this task wrote, per collection, or undefined when it wrote more than CHANGED_LIMIT documents. */
  written(): ChangedRecords | undefined {
    return this.changed ?? undefined;
  }

  tick(): void {
    const c = this.counts;
    this.ctx.progress?.taskProgress(this.name, { successful: c.inserted + c.updated + c.unchanged, failed: c.failed, skipped: c.skipped });
    const now = Date.now();
    if (now - this.lastLog >= this.ctx.config.progress.interval) {
      this.lastLog = now;
      const seconds = (now - this.started) / 1000;
      this.ctx.logger.info('catch-up progress', { task: this.name, ...c, rate: seconds > 0 ? Math.round(this.handled() / seconds) : 0 });
    }
  }

  finish(): CatchUpCounts {
    const c = this.counts;
    const stats: DataSetStats = {
      name: this.name,
      total: this.handled(),
      successful: c.inserted + c.updated + c.unchanged,
      failed: c.failed,
      skipped: c.skipped,
      durationMs: Date.now() - this.started,
      notes: (['inserted', 'updated', 'deleted', 'unchanged'] as const).map((k) => ({ field: k, count: c[k], line: `${c[k]} ${k}${this.ctx.dryRun ? ' (dry run: would be)' : ''}` })),
    };
    this.ctx.progress?.taskFinished(stats);
    this.ctx.logger.info('catch-up task finished', { task: this.name, ...c, duration_ms: stats.durationMs, dry_run: this.ctx.dryRun });
    return { ...c };
  }
}

