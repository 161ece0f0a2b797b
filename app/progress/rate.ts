/**
 * Throughput over a sliding window and the ETA it implies. A rate over the whole task would be
 * dragged down by a slow start (cursor warm-up, a long first COPY chunk) and recover too slowly;
 * a window of the last minute follows the current speed without jumping on every batch.
 */

export interface RateSample {
  at: number;
  done: number;
}

export class MovingRate {
  private readonly samples: RateSample[] = [];

  constructor(
    private readonly startedAt: number,
    private readonly windowMs = 60_000,
  ) {}

  add(at: number, done: number): void {
    const last = this.samples.at(-1);
    // Samples closer than 250 ms add noise, not information; keep the newest count.
    if (last && at - last.at < 250) {
      last.done = Math.max(last.done, done);
      return;
    }
    this.samples.push({ at, done });
    while (this.samples.length > 2 && (this.samples[1] as RateSample).at <= at - this.windowMs) this.samples.shift();
  }

  /** Records per second: over the window once it spans a second, else since the task started. */
  perSecond(now: number): number {
    const last = this.samples.at(-1);
    if (!last) return 0;
    const first = this.samples[0] as RateSample;
    if (last.at - first.at >= 1000) return ((last.done - first.done) * 1000) / (last.at - first.at);
    const elapsed = Math.max(now, last.at) - this.startedAt;
    return elapsed > 0 ? (last.done * 1000) / elapsed : 0;
  }
}

/** Seconds until `remaining` records are done at `perSecond`; null when it cannot be estimated. */
export function etaSeconds(remaining: number, perSecond: number): number | null {
  if (remaining <= 0) return 0;
  if (!(perSecond > 0)) return null;
  return Math.ceil(remaining / perSecond);
}

/** 3725 → "1h2m5s", 42 → "42s"; null → "unknown". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'unknown';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${m}m${rest}s`;
  if (m > 0) return `${m}m${rest}s`;
  return `${rest}s`;
}
