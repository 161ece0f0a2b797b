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

  /**
   * Records per second: over the window once it spans a second, else since the task started. The
   * window ends at `now` once no sample has come for a second: a task that stopped moving (a
   * frozen source, issue 13 D12) shows its rate falling to 0 and its ETA growing, not the last
   * speed it had.
   */
  perSecond(now: number): number {
    const last = this.samples.at(-1);
    if (!last) return 0;
    const first = this.samples[0] as RateSample;
    const end = now - last.at > 1000 ? now : last.at;
    if (end - first.at >= 1000) {
      // The newest sample at or before the window's start, else the oldest kept.
      let base = first;
      for (const s of this.samples) {
        if (s.at > end - this.windowMs) break;
        base = s;
      }
      return end > base.at ? ((last.done - base.done) * 1000) / (end - base.at) : 0;
    }
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
