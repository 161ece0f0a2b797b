/**
 * Coalesces updates to a slow remote (Kubernetes API, Pushgateway): at most one send in flight;
 * ordinary changes go out at most once per interval, urgent ones (phase, task start/end) within
 * `urgentGapMs`; with `heartbeat`, a send also happens every interval without changes. Timers are
 * unref'd so they never hold the process open.
 */

export interface ThrottleOptions {
  intervalMs: number;
  urgentGapMs?: number;
  heartbeat?: boolean;
  /** Builds and sends the current state. Must not reject (callers catch and log). */
  send: () => Promise<void>;
  now?: () => number;
}

export class Throttle {
  private inFlight: Promise<void> | null = null;
  private lastSent = Number.NEGATIVE_INFINITY;
  private dirty = false;
  private urgent = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private stopped = false;
  private readonly now: () => number;
  private readonly urgentGapMs: number;
  /** Number of sends started, for tests and logs. */
  sends = 0;

  constructor(private readonly options: ThrottleOptions) {
    this.now = options.now ?? Date.now;
    this.urgentGapMs = Math.min(options.urgentGapMs ?? 1000, options.intervalMs);
  }

  /** Sends the first update as soon as possible. */
  start(): void {
    this.mark(true);
  }

  mark(urgent = false): void {
    this.dirty = true;
    if (urgent) this.urgent = true;
    this.schedule();
  }

  /** Stops the timers, waits for a send in flight, then sends the final state once. */
  async flush(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.inFlight;
    await this.run();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped || this.inFlight) return;
    if (!this.dirty && !this.options.heartbeat) return;
    const gap = this.dirty && this.urgent ? this.urgentGapMs : this.options.intervalMs;
    const due = Math.max(this.now(), this.lastSent + gap);
    if (this.timer && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run().finally(() => this.schedule());
    }, due - this.now());
    this.timer.unref();
  }

  private run(): Promise<void> {
    this.dirty = false;
    this.urgent = false;
    this.lastSent = this.now();
    this.sends++;
    const sending = this.options.send().catch(() => undefined);
    this.inFlight = sending.finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }
}
