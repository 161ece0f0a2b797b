/**
 * The stall detector (issue 13, D12): while the record-level and bulk phases run, every progress
 * event (a batch or chunk committed, a task started or finished) counts as progress. With none
 * for a quarter of CONVERT_STALL_TIMEOUT it logs "no progress for N s" (at most once per progress
 * interval); with none for the whole timeout it gives up through `onStall` with a StalledError
 * (exit 4), instead of hanging on a source or target that stopped answering.
 */
import type { Phase, ProgressSink, TaskCounts } from '../engine/context.js';
import { StalledError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { DataSetStats } from '../report/stats.js';

export interface StallOptions {
  /** Give up after this long without progress; 0: never. */
  timeoutMs: number;
  /** Minimum time between two warnings (the progress interval). */
  warnEveryMs: number;
  logger: Logger;
  onStall: (err: StalledError) => void;
  now?: () => number;
}

const WATCHED: ReadonlySet<Phase> = new Set(['records', 'bulk', 'catch-up']);

export class StallWatch implements ProgressSink {
  private last: number;
  private lastWarn = 0;
  private current: Phase | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly inner: ProgressSink | undefined, private readonly options: StallOptions) {
    this.now = options.now ?? Date.now;
    this.last = this.now();
  }

  start(): void {
    if (this.options.timeoutMs <= 0) return;
    this.timer = setInterval(() => this.check(), Math.min(1000, Math.max(100, this.options.timeoutMs / 20)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Pure enough to test with a clock: what the watch does at `now`. */
  check(now = this.now()): 'ok' | 'warned' | 'stalled' {
    if (this.current === null || !WATCHED.has(this.current) || this.options.timeoutMs <= 0) return 'ok';
    const quiet = now - this.last;
    const seconds = Math.floor(quiet / 1000);
    if (quiet >= this.options.timeoutMs) {
      this.stop();
      this.options.logger.error(`no progress for ${seconds} s: giving up (CONVERT_STALL_TIMEOUT ${this.options.timeoutMs / 1000} s)`, { kind: 'stall', phase: this.current, quiet_seconds: seconds, stall_timeout_seconds: this.options.timeoutMs / 1000 });
      this.options.onStall(new StalledError(`no progress for ${seconds} s in the ${this.current} phase (CONVERT_STALL_TIMEOUT ${this.options.timeoutMs / 1000} s): a source or target that stopped answering? Running the migration again resumes it`, { context: { phase: this.current, quiet_seconds: seconds } }));
      return 'stalled';
    }
    if (quiet >= this.options.timeoutMs / 4 && now - this.lastWarn >= this.options.warnEveryMs) {
      this.lastWarn = now;
      this.options.logger.warn(`no progress for ${seconds} s`, { kind: 'stall', phase: this.current, quiet_seconds: seconds, stall_timeout_seconds: this.options.timeoutMs / 1000 });
      return 'warned';
    }
    return 'ok';
  }

  private touch(): void {
    this.last = this.now();
  }

  phase(phase: Phase): void {
    this.current = phase;
    this.touch();
    this.inner?.phase(phase);
  }

  taskStarted(task: string, phase: 'records' | 'bulk', total: number): void {
    this.touch();
    this.inner?.taskStarted(task, phase, total);
  }

  taskProgress(task: string, counts: TaskCounts): void {
    this.touch();
    this.inner?.taskProgress(task, counts);
  }

  verifyProgress(dataSet: string, checked: number, total: number | null): void {
    this.touch();
    this.inner?.verifyProgress?.(dataSet, checked, total);
  }

  taskFinished(stats: DataSetStats): void {
    this.touch();
    this.inner?.taskFinished(stats);
  }

  async runFinished(result: { ok: boolean; summary: string; stats: readonly DataSetStats[] }): Promise<void> {
    this.stop();
    await this.inner?.runFinished(result);
  }
}
