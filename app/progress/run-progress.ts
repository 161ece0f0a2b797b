/**
 * The ProgressSink the engines talk to: it updates one RunState and tells each reporter (log
 * lines, Job annotations, Pushgateway metrics) that something changed. Reporters do their own
 * rate limiting. Nothing here may throw into the migration, and the end of the run waits for the
 * final annotations and push only for a bounded time.
 */
import type { Phase, ProgressSink, TaskCounts } from '../engine/context.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { DataSetStats } from '../report/stats.js';
import type { FinalStatus, ProgressEvent, Reporter } from './reporter.js';
import { RunState } from './run-state.js';

/** The final annotation patch and metrics push get this long before the process exits anyway. */
export const FINISH_TIMEOUT_MS = 10_000;

export class RunProgress implements ProgressSink {
  readonly state: RunState;
  private finished = false;
  private readonly complained = new Set<string>();

  constructor(
    private readonly reporters: readonly Reporter[],
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    state?: RunState,
    private readonly finishTimeoutMs = FINISH_TIMEOUT_MS,
  ) {
    this.state = state ?? new RunState(now());
  }

  /** Names of the reporters in use, e.g. ['log', 'metrics']. */
  get outputs(): string[] {
    return this.reporters.map((r) => r.name);
  }

  /** How the final Pushgateway push went; null when metrics are off. */
  metricsStatus(): FinalStatus | null {
    const metrics = this.reporters.find((r) => r.name === 'metrics');
    return metrics?.finalStatus?.() ?? null;
  }

  start(): void {
    for (const r of this.reporters) this.guard(r.name, () => r.start());
  }

  /** The data sets the run will migrate, so "tasks done/total" is known from the start. */
  plan(tasks: readonly string[]): void {
    this.guard('plan', () => this.state.plan(tasks));
    this.notify('phase');
  }

  phase(phase: Phase): void {
    if (this.finished) return;
    this.guard('phase', () => this.state.setPhase(phase, this.now()));
    this.notify('phase');
  }

  taskStarted(task: string, phase: 'records' | 'bulk', total: number): void {
    this.guard('taskStarted', () => this.state.start(task, phase, total, this.now()));
    this.notify('task-started', task);
  }

  taskProgress(task: string, counts: TaskCounts): void {
    this.guard('taskProgress', () => this.state.progress(task, counts, this.now()));
    this.notify('task-progress', task);
  }

  taskFinished(stats: DataSetStats): void {
    this.guard('taskFinished', () => this.state.finish(stats, this.now()));
    this.notify('task-finished', stats.name);
  }

  verifyProgress(dataSet: string, checked: number, total: number | null): void {
    this.guard('verifyProgress', () => this.state.verifyProgress(dataSet, checked, total, this.now()));
    this.notify('verify-progress', dataSet);
  }

  /** Statistics of every task finished so far (for a run that ends in an error). */
  finishedStats(): DataSetStats[] {
    return this.state.finished();
  }

  async runFinished(result: { ok: boolean; summary: string; stats: readonly DataSetStats[] }): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.guard('runFinished', () => this.state.end(result.ok ? 'succeeded' : 'failed', result.summary, result.stats, this.now()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.finishTimeoutMs);
      timer.unref();
    });
    const all = Promise.allSettled(this.reporters.map((r) => Promise.resolve().then(() => r.finish())));
    const outcome = await Promise.race([all, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.warn('final progress updates did not complete in time; exiting without waiting for them', { timeout_ms: this.finishTimeoutMs });
  }

  private notify(event: ProgressEvent, task?: string): void {
    for (const r of this.reporters) this.guard(r.name, () => r.changed(event, task));
  }

  /** A bug in a reporter is logged once per place and never reaches the engines. */
  private guard(where: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (this.complained.has(where)) return;
      this.complained.add(where);
      this.logger.warn('progress reporting error (ignored)', { where, error: errorMessage(err) });
    }
  }
}
