/**
 * Run metrics for Prometheus, pushed to a Pushgateway (a batch Job cannot be scraped reliably:
 * it may end between two scrapes). A dedicated Registry holds only these metrics; every push
 * (HTTP PUT) replaces the whole group {job="mongo2pg", release=<RELEASE_NAME or "default">}, so
 * the gateway always shows one consistent picture of the latest run. All values are gauges
 * recomputed from RunState right before a push: the numbers on the dashboard are the numbers
 * in the statistics blocks.
 */
import { Gauge, Pushgateway, Registry } from 'prom-client';
import type { Phase } from '../engine/context.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { FinalStatus, ProgressEvent, Reporter } from './reporter.js';
import type { RunState } from './run-state.js';
import { Throttle } from './throttle.js';

export const METRICS_JOB = 'mongo2pg';
const PHASES: readonly Phase[] = ['preflight', 'schema', 'records', 'bulk', 'catch-up', 'verify', 'done', 'failed'];
const RESULTS = ['running', 'succeeded', 'failed'] as const;
/** Statistics notes of a catch-up's data sets (app/catchup/records.ts catchUpStats). */
const CATCH_UP_ACTIONS: ReadonlySet<string> = new Set(['inserted', 'updated', 'deleted', 'unchanged']);
const PUSH_TIMEOUT_MS = 5000;

export class RunMetrics {
  readonly registry = new Registry();
  private readonly records = this.gauge('mongo2pg_records', 'Records per data set and outcome (migrated, failed, skipped), so far in this run.', ['data_set', 'outcome']);
  private readonly source = this.gauge('mongo2pg_source_records', 'Source documents of the data set (counted at task start; the statistics total once finished).', ['data_set']);
  private readonly ratio = this.gauge('mongo2pg_task_progress_ratio', 'Share of the data set processed, 0 to 1.', ['data_set']);
  private readonly duration = this.gauge('mongo2pg_task_duration_seconds', 'Time spent on the data set: elapsed while running, final once finished.', ['data_set']);
  private readonly throughput = this.gauge('mongo2pg_task_records_per_second', 'Throughput: moving rate while running, the statistics block value once finished.', ['data_set']);
  private readonly eta = this.gauge('mongo2pg_task_eta_seconds', 'Estimated seconds until a running data set is done.', ['data_set']);
  private readonly verifyChecked = this.gauge('mongo2pg_verify_checked_records', 'Records verification has checked per data set, so far in this run.', ['data_set']);
  private readonly verifyTotal = this.gauge('mongo2pg_verify_total_records', 'Records verification will check per data set (when known up front; the checked count once the data set is done).', ['data_set']);
  private readonly verifyRatio = this.gauge('mongo2pg_verify_progress_ratio', 'Share of the data set verified, 0 to 1 (1 once its verification is done).', ['data_set']);
  private readonly tasks = this.gauge('mongo2pg_tasks', 'Data sets (tasks) by state: planned, running, done.', ['state']);
  private readonly phase = this.gauge('mongo2pg_phase', 'Current phase of the run (1 for the current one).', ['phase']);
  private readonly result = this.gauge('mongo2pg_result', 'Run result: running, succeeded or failed (1 for the current one).', ['result']);
  private readonly up = this.gauge('mongo2pg_up', '1 while the run is going or has succeeded, 0 once it has failed.', []);
  private readonly startTime = this.gauge('mongo2pg_start_time_seconds', 'Unix time the run started.', []);
  // Absent rather than 0 until they have a value (an unlabelled gauge always exports one), so
  // they are registered only when set.
  private readonly endTime = new Gauge({ name: 'mongo2pg_end_time_seconds', help: 'Unix time the run ended (absent while running).', registers: [] });
  private readonly lastSuccess = new Gauge({ name: 'mongo2pg_last_success_time_seconds', help: 'Unix time the run ended successfully (absent unless it did).', registers: [] });
  private readonly rss = this.gauge('mongo2pg_process_resident_memory_bytes', 'Resident memory of the migration process.', []);
  private readonly heap = this.gauge('mongo2pg_process_heap_used_bytes', 'V8 heap in use by the migration process.', []);
  private readonly catchUp = this.gauge('mongo2pg_catchup_records', 'catch-up (issue 17): records per data set and action (inserted, updated, deleted, unchanged); a dry run counts what would change.', ['data_set', 'action']);

  private gauge(name: string, help: string, labelNames: string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private present(gauge: Gauge, name: string, value: number | null): void {
    const registered = this.registry.getSingleMetric(name) !== undefined;
    if (value === null) {
      if (registered) this.registry.removeSingleMetric(name);
      return;
    }
    if (!registered) this.registry.registerMetric(gauge);
    gauge.set(value);
  }

  /** Sets every gauge from the state. */
  refresh(state: RunState, now: number): void {
    for (const g of [this.records, this.source, this.ratio, this.duration, this.throughput, this.eta, this.verifyChecked, this.verifyTotal, this.verifyRatio]) g.reset();
    for (const [name, v] of state.verified) {
      const ds = { data_set: name };
      this.verifyChecked.set(ds, v.checked);
      if (v.total !== null) this.verifyTotal.set(ds, v.total);
      if (v.done) this.verifyRatio.set(ds, 1);
      else if (v.total !== null) this.verifyRatio.set(ds, v.total > 0 ? v.checked / v.total : 0);
    }
    // Planned but not yet started data sets show as zero, so the dashboard lists them from the start.
    for (const name of state.planned) {
      if (state.tasks.has(name)) continue;
      for (const outcome of ['migrated', 'failed', 'skipped']) this.records.set({ data_set: name, outcome }, 0);
      this.ratio.set({ data_set: name }, 0);
    }
    for (const v of state.views(now)) {
      const ds = { data_set: v.name };
      this.records.set({ ...ds, outcome: 'migrated' }, v.successful);
      this.records.set({ ...ds, outcome: 'failed' }, v.failed);
      this.records.set({ ...ds, outcome: 'skipped' }, v.skipped);
      this.source.set(ds, v.total);
      this.ratio.set(ds, v.finished || v.total === 0 ? (v.finished ? 1 : 0) : v.done / v.total);
      this.duration.set(ds, v.elapsedMs / 1000);
      this.throughput.set(ds, v.recordsPerSecond);
      if (!v.finished && v.etaSeconds !== null) this.eta.set(ds, v.etaSeconds);
    }
    for (const s of state.finished()) {
      for (const n of s.notes ?? []) if (CATCH_UP_ACTIONS.has(n.field)) this.catchUp.set({ data_set: s.name, action: n.field }, n.count);
    }
    const t = state.totals();
    const running = state.active().length;
    this.tasks.set({ state: 'planned' }, t.tasksPlanned);
    this.tasks.set({ state: 'running' }, running);
    this.tasks.set({ state: 'done' }, t.tasksDone);
    for (const p of PHASES) this.phase.set({ phase: p }, p === state.phase ? 1 : 0);
    for (const r of RESULTS) this.result.set({ result: r }, r === state.result ? 1 : 0);
    this.up.set(state.result === 'failed' ? 0 : 1);
    this.startTime.set(state.startedAt / 1000);
    this.present(this.endTime, 'mongo2pg_end_time_seconds', state.finishedAt === null ? null : state.finishedAt / 1000);
    this.present(this.lastSuccess, 'mongo2pg_last_success_time_seconds', state.result === 'succeeded' && state.finishedAt !== null ? state.finishedAt / 1000 : null);
    const mem = process.memoryUsage();
    this.rss.set(mem.rss);
    this.heap.set(mem.heapUsed);
  }
}

/** The narrow part of prom-client's Pushgateway used here. */
export interface MetricsPusher {
  push(params: { jobName: string; groupings?: Record<string, string> }): Promise<unknown>;
}

export function pushgateway(url: string, registry: Registry): MetricsPusher {
  return new Pushgateway(url, { timeout: PUSH_TIMEOUT_MS }, registry);
}

export interface PushgatewayOptions {
  url: string;
  release: string;
  intervalMs: number;
  /** Stand-in for prom-client's Pushgateway in unit tests. */
  pusher?: MetricsPusher;
  now?: () => number;
}

export class PushgatewayReporter implements Reporter {
  readonly name = 'metrics';
  readonly metrics = new RunMetrics();
  private readonly throttle: Throttle;
  private readonly pusher: MetricsPusher;
  private readonly groupings: Record<string, string>;
  private readonly url: string;
  private readonly now: () => number;
  private warned = false;
  private pushedOnce = false;
  private final: FinalStatus;
  private lastError: string | undefined;

  constructor(
    options: PushgatewayOptions,
    private readonly state: RunState,
    private readonly logger: Logger,
    private readonly redact: Redactor,
  ) {
    this.url = options.url;
    this.now = options.now ?? Date.now;
    this.groupings = { release: options.release === '' ? 'default' : options.release };
    this.pusher = options.pusher ?? pushgateway(options.url, this.metrics.registry);
    this.final = { state: 'pending', url: this.redact.text(this.url) };
    this.throttle = new Throttle({ intervalMs: options.intervalMs, urgentGapMs: 1000, heartbeat: true, send: () => this.push(), now: this.now });
  }

  start(): void {
    this.logger.info('pushing metrics to the Pushgateway', { url: this.redact.text(this.url), job: METRICS_JOB, ...this.groupings });
    this.throttle.start();
  }

  changed(event: ProgressEvent): void {
    if (event !== 'task-progress' && event !== 'verify-progress') this.throttle.mark(true);
  }

  /** The last push carries the run's result: its outcome is logged and kept for the run's final line. */
  async finish(): Promise<void> {
    this.lastError = undefined;
    await this.throttle.flush();
    const url = this.redact.text(this.url);
    if (this.lastError === undefined) {
      this.final = { state: 'pushed', url };
      this.logger.info('final metrics push succeeded', { url, job: METRICS_JOB, ...this.groupings });
    } else {
      this.final = { state: 'failed', url, error: this.lastError };
      this.logger.warn('final metrics push failed', { url, job: METRICS_JOB, ...this.groupings, error: this.lastError });
    }
  }

  finalStatus(): FinalStatus {
    return this.final;
  }

  private async push(): Promise<void> {
    try {
      this.metrics.refresh(this.state, this.now());
      await this.pusher.push({ jobName: METRICS_JOB, groupings: this.groupings });
      if (!this.pushedOnce) this.logger.debug('metrics pushed', { job: METRICS_JOB, ...this.groupings });
      this.pushedOnce = true;
      this.lastError = undefined;
    } catch (err) {
      const meta = { url: this.redact.text(this.url), error: this.redact.text(errorMessage(err)) };
      this.lastError = meta.error;
      if (this.warned) {
        this.logger.debug('metrics push failed again', meta);
        return;
      }
      this.warned = true;
      this.logger.warn('cannot push metrics to the Pushgateway; the migration continues (further failures are logged at debug level)', meta);
    }
  }
}
