/**
 * The Job's own annotations, so `kubectl get job -o yaml` / `kubectl describe job` show where the
 * migration is. Updates are coalesced (throttle.ts): at most one PATCH in flight, progress-only
 * changes at most once per ANNOTATION_INTERVAL, phase and task changes within a second. A refused or failing API is
 * logged once and otherwise ignored: annotations are a view, never a reason to fail the run.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import { formatSeconds } from './rate.js';
import type { ProgressEvent, Reporter } from './reporter.js';
import type { RunState } from './run-state.js';
import { Throttle } from './throttle.js';

export const ANNOTATION_PREFIX = 'mongo2pg.io/';

/** Keys, without the prefix. */
export const ANNOTATION_KEYS = ['phase', 'task', 'tasks', 'records', 'progress', 'started-at', 'updated-at', 'finished-at', 'result', 'summary'] as const;

/** Annotation values are strings; null removes the key (JSON merge patch, RFC 7386). */
export type Annotations = Record<string, string | null>;

/** The narrow part of the Kubernetes API this needs; tests pass a recording fake. */
export interface JobPatcher {
  /** `namespace/name`, for log lines. */
  readonly target: string;
  patchAnnotations(annotations: Annotations): Promise<void>;
}

const URGENT_GAP_MS = 1000;
const SUMMARY_MAX = 1024;

export function jobAnnotations(state: RunState, now: number, redactText: (s: string) => string): Annotations {
  const t = state.totals();
  const running = state.active();
  const views = running.map((task) => state.view(task, now));
  const current = views.map((v) => `${v.name} ${v.done}/${v.total}${v.percent === null ? '' : ` (${v.percent.toFixed(1)}%, ETA ${formatSeconds(v.etaSeconds)})`}`);
  const verifying = state.phase === 'verify' ? state.verifyView(now) : null;
  if (verifying) current.push(`verifying ${verifying.name} ${verifying.checked}/${verifying.total ?? '?'}${verifying.percent === null ? '' : ` (${verifying.percent.toFixed(1)}%, ETA ${formatSeconds(verifying.etaSeconds)})`}`);
  const out: Annotations = {
    phase: state.phase,
    task: running.length > 0 ? running.map((r) => r.name).join(',') : null,
    tasks: `${t.tasksDone}/${t.tasksPlanned}`,
    records: `${t.done}/${t.total} processed: ${t.successful} migrated, ${t.failed} failed, ${t.skipped} skipped`,
    progress: `${t.tasksDone}/${t.tasksPlanned} tasks done${current.length > 0 ? `; ${current.join('; ')}` : ''}`,
    'started-at': new Date(state.startedAt).toISOString(),
    'updated-at': new Date(now).toISOString(),
    result: state.result,
  };
  if (state.finishedAt !== null) {
    out['finished-at'] = new Date(state.finishedAt).toISOString();
    out.summary = truncate(state.summary, SUMMARY_MAX);
  }
  const prefixed: Annotations = {};
  for (const [key, value] of Object.entries(out)) prefixed[ANNOTATION_PREFIX + key] = value === null ? null : redactText(value);
  return prefixed;
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

export class JobAnnotationsReporter implements Reporter {
  readonly name = 'annotations';
  private readonly throttle: Throttle;
  private warned = false;

  constructor(
    private readonly patcher: JobPatcher,
    private readonly state: RunState,
    private readonly logger: Logger,
    private readonly redact: Redactor,
    intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.throttle = new Throttle({ intervalMs, urgentGapMs: URGENT_GAP_MS, send: () => this.send(), now });
  }

  start(): void {
    this.logger.info('annotating the Job with progress', { job: this.patcher.target, prefix: ANNOTATION_PREFIX });
    this.throttle.start();
  }

  changed(event: ProgressEvent): void {
    this.throttle.mark(event !== 'task-progress' && event !== 'verify-progress');
  }

  finish(): Promise<void> {
    return this.throttle.flush();
  }

  private async send(): Promise<void> {
    try {
      await this.patcher.patchAnnotations(jobAnnotations(this.state, this.now(), this.redact.text));
    } catch (err) {
      const meta = { job: this.patcher.target, error: this.redact.text(errorMessage(err)) };
      if (this.warned) {
        this.logger.debug('Job annotation update failed again', meta);
        return;
      }
      this.warned = true;
      this.logger.warn('cannot update the Job annotations; the migration continues without them (further failures are logged at debug level)', meta);
    }
  }
}
