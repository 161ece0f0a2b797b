/**
 * What the run has done so far, as one model that the log lines, the Job annotations and the
 * metrics all render. Pure: the clock is passed in, so tests drive it with literal times.
 */
import type { Phase, TaskCounts } from '../engine/context.js';
import { recordsPerSecond, type DataSetStats } from '../report/stats.js';
import { MovingRate, etaSeconds } from './rate.js';

export type RunResult = 'running' | 'succeeded' | 'failed';

export interface TaskState {
  name: string;
  phase: 'records' | 'bulk';
  /** Source documents counted when the task started. */
  total: number;
  counts: TaskCounts;
  startedAt: number;
  /** A progress report has arrived (bulk tasks are all started up front and then wait their turn). */
  progressed: boolean;
  /** Set once the task finished; its statistics are then final. */
  stats?: DataSetStats;
  rate: MovingRate;
}

/** One task's progress as the reporters show it. */
export interface TaskView {
  name: string;
  phase: 'records' | 'bulk';
  done: number;
  total: number;
  /** 0–100, one decimal; null while the total is unknown (zero). */
  percent: number | null;
  successful: number;
  failed: number;
  skipped: number;
  /** Read and transformed into a COPY chunk not committed yet (bulk); included in `done`. */
  inChunk: number;
  recordsPerSecond: number;
  etaSeconds: number | null;
  elapsedMs: number;
  finished: boolean;
}

/** Documents processed: committed ones plus, in the bulk phase, those read into a running chunk. */
export function doneOf(counts: TaskCounts): number {
  return counts.successful + counts.failed + counts.skipped + (counts.inChunk ?? 0);
}

/** The data set being verified, and how far (verification runs one data set at a time). */
export interface VerifyingState {
  name: string;
  checked: number;
  total: number | null;
  startedAt: number;
  rate: MovingRate;
}

/** How far verification got with one data set; `done` once it moved on to the next or the run ended. */
export interface VerifiedState {
  checked: number;
  /** Records to check, when known up front (null for sampled and exploded data sets until done). */
  total: number | null;
  done: boolean;
}

/** Verification progress as the log line shows it. */
export interface VerifyView {
  name: string;
  checked: number;
  total: number | null;
  percent: number | null;
  recordsPerSecond: number;
  etaSeconds: number | null;
  elapsedMs: number;
}

export class RunState {
  phase: Phase = 'preflight';
  /** When the current phase began (for the phase progress line of phases without tasks). */
  phaseStartedAt: number;
  result: RunResult = 'running';
  summary = '';
  finishedAt: number | null = null;
  /** Names of every task the run will execute, in order, once known. */
  planned: string[] = [];
  readonly tasks = new Map<string, TaskState>();
  verifying: VerifyingState | null = null;
  /** Every data set verification has reached, in order: how far it got (for the metrics). */
  readonly verified = new Map<string, VerifiedState>();

  constructor(readonly startedAt: number) {
    this.phaseStartedAt = startedAt;
  }

  plan(names: readonly string[]): void {
    this.planned = [...names];
  }

  setPhase(phase: Phase, now: number = Date.now()): void {
    if (phase !== this.phase) this.phaseStartedAt = now;
    this.phase = phase;
  }

  start(name: string, phase: 'records' | 'bulk', total: number, now: number): void {
    const rate = new MovingRate(now);
    rate.add(now, 0);
    this.tasks.set(name, { name, phase, total, counts: { successful: 0, failed: 0, skipped: 0 }, startedAt: now, progressed: false, rate });
    if (!this.planned.includes(name)) this.planned.push(name);
  }

  progress(name: string, counts: TaskCounts, now: number): void {
    const task = this.tasks.get(name);
    if (!task || task.stats) return;
    task.counts = { successful: counts.successful, failed: counts.failed, skipped: counts.skipped, inChunk: counts.inChunk ?? 0 };
    task.progressed = true;
    task.rate.add(now, doneOf(task.counts));
  }

  verifyProgress(name: string, checked: number, total: number | null, now: number): void {
    if (this.verifying?.name !== name) {
      if (this.verifying) this.verifiedDone(this.verifying.name);
      const rate = new MovingRate(now);
      rate.add(now, 0);
      this.verifying = { name, checked: 0, total, startedAt: now, rate };
    }
    const v = this.verifying;
    v.checked = checked;
    v.total = total;
    v.rate.add(now, checked);
    this.verified.set(name, { checked, total: total === null ? null : Math.max(total, checked), done: false });
  }

  private verifiedDone(name: string): void {
    const v = this.verified.get(name);
    if (v) this.verified.set(name, { checked: v.checked, total: v.checked, done: true });
  }

  verifyView(now: number): VerifyView | null {
    const v = this.verifying;
    if (!v) return null;
    const total = v.total === null ? null : Math.max(v.total, v.checked);
    const perSecond = v.rate.perSecond(now);
    return {
      name: v.name, checked: v.checked, total,
      percent: total === null ? null : total > 0 ? Math.floor((v.checked / total) * 1000) / 10 : 100,
      recordsPerSecond: perSecond, etaSeconds: total === null ? null : etaSeconds(total - v.checked, perSecond), elapsedMs: now - v.startedAt,
    };
  }

  finish(stats: DataSetStats, now: number): void {
    const task = this.tasks.get(stats.name) ?? {
      name: stats.name,
      phase: this.phase === 'bulk' ? 'bulk' : 'records',
      total: stats.total,
      counts: { successful: 0, failed: 0, skipped: 0 },
      startedAt: now - stats.durationMs,
      progressed: true,
      rate: new MovingRate(now - stats.durationMs),
    };
    task.stats = { ...stats };
    task.counts = { successful: stats.successful, failed: stats.failed, skipped: stats.skipped };
    this.tasks.set(stats.name, task);
    if (!this.planned.includes(stats.name)) this.planned.push(stats.name);
  }

  end(result: 'succeeded' | 'failed', summary: string, stats: readonly DataSetStats[], now: number): void {
    // The caller's statistics are the run's final word (they are what the summary table shows).
    for (const s of stats) this.finish(s, now);
    if (this.verifying) this.verifiedDone(this.verifying.name);
    this.result = result;
    this.summary = summary;
    this.phase = result === 'succeeded' ? 'done' : 'failed';
    this.finishedAt = now;
  }

  running(): TaskState[] {
    return [...this.tasks.values()].filter((t) => !t.stats);
  }

  /**
   * Tasks being worked on: the bulk phase announces all its tasks up front, and those still
   * waiting for a worker are not "current" until their first progress report.
   */
  active(): TaskState[] {
    const running = this.running();
    const moving = running.filter((t) => t.progressed || t.phase === 'records');
    return moving.length > 0 ? moving : running;
  }

  finished(): DataSetStats[] {
    return [...this.tasks.values()].flatMap((t) => (t.stats ? [t.stats] : []));
  }

  view(task: TaskState, now: number): TaskView {
    const done = doneOf(task.counts);
    if (task.stats) {
      const s = task.stats;
      return {
        name: task.name, phase: task.phase, done, total: s.total, percent: 100,
        successful: s.successful, failed: s.failed, skipped: s.skipped, inChunk: 0,
        recordsPerSecond: recordsPerSecond(s), etaSeconds: 0, elapsedMs: s.durationMs, finished: true,
      };
    }
    // Sources can grow while we read them; never show more than 100 % or a negative remainder.
    const total = Math.max(task.total, done);
    const perSecond = task.rate.perSecond(now);
    return {
      name: task.name, phase: task.phase, done, total,
      percent: total > 0 ? Math.floor((done / total) * 1000) / 10 : null,
      successful: task.counts.successful, failed: task.counts.failed, skipped: task.counts.skipped, inChunk: task.counts.inChunk ?? 0,
      recordsPerSecond: perSecond, etaSeconds: etaSeconds(total - done, perSecond), elapsedMs: now - task.startedAt, finished: false,
    };
  }

  views(now: number): TaskView[] {
    return [...this.tasks.values()].map((t) => this.view(t, now));
  }

  /** Totals over every task started so far. */
  totals(): { done: number; total: number; successful: number; failed: number; skipped: number; tasksDone: number; tasksPlanned: number } {
    let done = 0;
    let total = 0;
    let successful = 0;
    let failed = 0;
    let skipped = 0;
    let tasksDone = 0;
    for (const t of this.tasks.values()) {
      const d = doneOf(t.counts);
      done += d;
      total += t.stats ? t.stats.total : Math.max(t.total, d);
      successful += t.counts.successful;
      failed += t.counts.failed;
      skipped += t.counts.skipped;
      if (t.stats) tasksDone++;
    }
    return { done, total, successful, failed, skipped, tasksDone, tasksPlanned: Math.max(this.planned.length, this.tasks.size) };
  }
}
