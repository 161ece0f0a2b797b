/** Counts and progress of one catch-up task: progress events, and a log line every PROGRESS_INTERVAL. */
import type { DataSetStats } from '../report/stats.js';
import { NO_CHANGES, type CatchUpContext, type CatchUpCounts } from './types.js';

/** Counts, progress events and a progress log line every PROGRESS_INTERVAL. */
export class CatchUpTracker {
  readonly counts: CatchUpCounts = { ...NO_CHANGES };
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

