/**
 * Progress lines in the log: for every running task at most one line per PROGRESS_INTERVAL, with
 * done/total, percent, records/s (moving) and ETA. A timer also writes them when no batch has
 * finished for a while, so a slow COPY chunk still shows the task is alive. When no task line
 * came for a whole interval (pre-flight, schema, planning the bulk phase, sequences,
 * verification), a `phase progress` line says which phase is running and for how long: the log is
 * never silent for longer than one interval.
 */
import type { Logger } from '../log/logger.js';
import { HUMAN } from '../log/logger.js';
import type { ProgressEvent, Reporter } from './reporter.js';
import { formatSeconds } from './rate.js';
import type { RunState, TaskView } from './run-state.js';

export class LogProgress implements Reporter {
  readonly name = 'log';
  private readonly lastLine = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  /** When this reporter last wrote a line or saw a task start or finish (which log their own). */
  private lastAny: number;

  constructor(
    private readonly logger: Logger,
    private readonly state: RunState,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastAny = now();
  }

  start(): void {
    // Ticking at a quarter of the interval keeps quiet-period lines close to one per interval.
    this.timer = setInterval(() => this.tick(), Math.max(this.intervalMs / 4, 100));
    this.timer.unref();
  }

  changed(event: ProgressEvent, task?: string): void {
    const now = this.now();
    if (event === 'phase' || event === 'task-started' || event === 'task-finished') this.lastAny = now;
    if (event === 'task-started' && task) this.lastLine.set(task, now);
    if (event === 'task-finished' && task) this.lastLine.delete(task);
    if (event === 'task-progress' && task) this.maybeLog(task, now);
    if (event === 'verify-progress') this.maybeLogVerify(now);
  }

  tick(): void {
    const now = this.now();
    for (const task of this.state.running()) this.maybeLog(task.name, now);
    this.maybeLogVerify(now);
    this.maybeLogPhase(now);
  }

  private lastVerifyLine = Number.NEGATIVE_INFINITY;
  private lastVerified = '';

  /** One line per interval for the data set being verified, from its first interval on. */
  private maybeLogVerify(now: number): void {
    const v = this.state.phase === 'verify' ? this.state.verifyView(now) : null;
    if (!v) return;
    if (v.name !== this.lastVerified) {
      this.lastVerified = v.name;
      this.lastVerifyLine = now - v.elapsedMs;
    }
    if (now - this.lastVerifyLine < this.intervalMs) return;
    this.lastVerifyLine = now;
    this.lastAny = now;
    const pct = v.percent === null ? '' : ` (${v.percent.toFixed(1)}%)`;
    this.logger.info('verification progress', {
      task: v.name,
      phase: 'verify',
      checked: v.checked,
      total: v.total,
      percent: v.percent,
      records_per_second: Math.round(v.recordsPerSecond * 10) / 10,
      eta_seconds: v.etaSeconds,
      elapsed_seconds: Math.round(v.elapsedMs / 100) / 10,
      [HUMAN]: `verifying ${v.name}: ${v.checked}/${v.total ?? '?'}${pct}, ${v.recordsPerSecond.toFixed(1)} records/s, ETA ${formatSeconds(v.etaSeconds)}`,
    });
  }

  private maybeLogPhase(now: number): void {
    const { phase } = this.state;
    if (phase === 'done' || phase === 'failed' || now - this.lastAny < this.intervalMs) return;
    this.lastAny = now;
    const elapsed = Math.round((now - this.state.phaseStartedAt) / 100) / 10;
    const t = this.state.totals();
    this.logger.info('phase progress', {
      phase,
      phase_elapsed_seconds: elapsed,
      elapsed_seconds: Math.round((now - this.state.startedAt) / 100) / 10,
      tasks_done: t.tasksDone,
      tasks_planned: t.tasksPlanned,
      [HUMAN]: `${phase}: still working, ${formatSeconds(elapsed)} in this phase, ${t.tasksDone}/${t.tasksPlanned} data sets done`,
    });
  }

  async finish(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private maybeLog(name: string, now: number): void {
    const task = this.state.tasks.get(name);
    if (!task || task.stats) return;
    // Bulk tasks are all announced when the phase starts and then queue for a worker; a line
    // for each waiting one every interval would drown the ones that are moving.
    if (task.phase === 'bulk' && !task.progressed) return;
    const last = this.lastLine.get(name) ?? task.startedAt;
    if (now - last < this.intervalMs) return;
    this.lastLine.set(name, now);
    this.lastAny = now;
    const v = this.state.view(task, now);
    this.logger.info('task progress', { ...progressFields(v), [HUMAN]: progressText(v) });
  }
}

export function progressFields(v: TaskView): Record<string, unknown> {
  return {
    task: v.name,
    phase: v.phase,
    done: v.done,
    total: v.total,
    percent: v.percent,
    successful: v.successful,
    failed: v.failed,
    skipped: v.skipped,
    in_chunk: v.inChunk,
    records_per_second: Math.round(v.recordsPerSecond * 10) / 10,
    eta_seconds: v.etaSeconds,
    elapsed_seconds: Math.round(v.elapsedMs / 100) / 10,
  };
}

/** `usage_records: 12000/50000 (24.0%), 1520.3 records/s, ETA 25s` */
export function progressText(v: TaskView): string {
  const pct = v.percent === null ? '' : ` (${v.percent.toFixed(1)}%)`;
  const failures = v.failed > 0 || v.skipped > 0 ? `, ${v.failed} failed, ${v.skipped} skipped` : '';
  return `${v.name}: ${v.done}/${v.total}${pct}, ${v.recordsPerSecond.toFixed(1)} records/s, ETA ${formatSeconds(v.etaSeconds)}${failures}`;
}
