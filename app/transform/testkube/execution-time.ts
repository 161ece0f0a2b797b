/**
 * The legacy execution time repair of Testkube's own converter (`pkg/convert/executiontime.go`,
 * ported there from the control-plane convert tool, which applies it to every execution).
 * Executions from before the control plane kept `scheduledAt` have none; a straight copy gives a
 * NULL `scheduled_at` (sorted first, rendered as the epoch) and durations that wrapped around
 * int32 when they were computed from the zero time. Pure: times in, times out.
 *
 * Times are epoch milliseconds as decoded (the Go zero time is GO_ZERO_TIME_MS). Durations are
 * Go's time.Duration, int64 nanoseconds, kept as bigint so saturation and wrap-around behave as
 * in Go.
 */

/** A timestamp at or before this instant counts as absent (the zero time, the epoch …). */
export const MIN_USABLE_TIME_MS = Date.UTC(1971, 0, 1);

/** Go's `TestWorkflowStatus.Finished()`: the terminal statuses, compared exactly. */
const FINISHED = new Set(['passed', 'failed', 'aborted', 'canceled']);

export interface ResultTimes {
  /** `result.status`; null for a nil pointer. */
  status: string | null;
  queuedAt: number;
  startedAt: number;
  finishedAt: number;
  pausedMs: number;
  durationMs: number;
  totalDurationMs: number;
}

export interface ExecutionTimes {
  scheduledAt: number;
  assignedAt: number;
  statusAt: number;
  /** undefined when the execution has no result. */
  result: ResultTimes | undefined;
}

/** Recomputed result durations; `pausedMs` is kept as stored. */
export interface HealedDurations {
  durationMs: number;
  totalDurationMs: number;
  duration: string;
  totalDuration: string;
}

export interface TimeRepair {
  /** The `scheduled_at` to write: the stored value, or the synthesized one. */
  scheduledAt: number;
  /** True when `scheduledAt` was synthesized from the other timestamps. */
  scheduledAtRepaired: boolean;
  /** Present when the durations were recomputed. */
  durations: HealedDurations | undefined;
}

export function isUsableTime(ms: number): boolean {
  return ms > MIN_USABLE_TIME_MS;
}

/**
 * The earliest usable of assignedAt, statusAt, result.queuedAt, result.startedAt and
 * result.finishedAt: a lower bound for when the execution was scheduled that keeps
 * scheduled ≤ queued ≤ started ≤ finished. undefined when none is usable.
 */
export function synthesizeScheduledAt(times: ExecutionTimes): number | undefined {
  const anchors = [times.assignedAt, times.statusAt];
  if (times.result) anchors.push(times.result.queuedAt, times.result.startedAt, times.result.finishedAt);
  let earliest: number | undefined;
  for (const t of anchors) if (isUsableTime(t) && (earliest === undefined || t < earliest)) earliest = t;
  return earliest;
}

/**
 * The repair, as the converter applies it before writing an execution:
 * - `scheduledAt` unusable: it becomes the earliest usable anchor (none: left as stored) and the
 *   durations are recomputed;
 * - `scheduledAt` usable but a stored `durationMs` or `totalDurationMs` negative: the durations
 *   are recomputed.
 * Durations are recomputed only for a finished result with a usable `finishedAt`.
 */
export function repairExecutionTime(times: ExecutionTimes): TimeRepair {
  if (!isUsableTime(times.scheduledAt)) {
    const scheduledAt = synthesizeScheduledAt(times);
    if (scheduledAt === undefined) return { scheduledAt: times.scheduledAt, scheduledAtRepaired: false, durations: undefined };
    return { scheduledAt, scheduledAtRepaired: true, durations: healDurations(times.result, scheduledAt) };
  }
  const r = times.result;
  const durations = r && (r.durationMs < 0 || r.totalDurationMs < 0) ? healDurations(r, times.scheduledAt) : undefined;
  return { scheduledAt: times.scheduledAt, scheduledAtRepaired: false, durations };
}

const NS_PER_MS = 1_000_000n;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT32_MAX = 2 ** 31 - 1;

/**
 * total = finishedAt − scheduledAt (floored at 0), duration = total − pausedMs (floored at 0),
 * in Go's int64 nanoseconds: Time.Sub saturates, the subtraction of the pause wraps.
 */
export function healDurations(result: ResultTimes | undefined, scheduledAt: number): HealedDurations | undefined {
  if (!result || result.status === null || !FINISHED.has(result.status) || !isUsableTime(result.finishedAt)) return undefined;
  let total = saturate((BigInt(result.finishedAt) - BigInt(scheduledAt)) * NS_PER_MS);
  if (total < 0n) total = 0n;
  let duration = BigInt.asIntN(64, total - BigInt(result.pausedMs) * NS_PER_MS);
  if (duration < 0n) duration = 0n;
  return {
    totalDurationMs: clampMs(total),
    durationMs: clampMs(duration),
    totalDuration: goDurationString(roundToMs(total)),
    duration: goDurationString(roundToMs(duration)),
  };
}

function saturate(ns: bigint): bigint {
  return ns > INT64_MAX ? INT64_MAX : ns < INT64_MIN ? INT64_MIN : ns;
}

/** Duration.Milliseconds() (truncating) of a non-negative duration, capped at int32's maximum. */
function clampMs(ns: bigint): number {
  const ms = ns / NS_PER_MS;
  return ms > BigInt(INT32_MAX) ? INT32_MAX : Number(ms);
}

/** Duration.Round(time.Millisecond) of a non-negative duration: half away from zero, saturating. */
export function roundToMs(ns: bigint): bigint {
  const r = ns % NS_PER_MS;
  if (r + r < NS_PER_MS) return ns - r;
  const up = ns + NS_PER_MS - r;
  return up > INT64_MAX ? INT64_MAX : up;
}

/** `v`'s last `digits` decimal digits as Go's fmtFrac writes them: ".d…" without trailing zeros, or "". */
function fraction(v: bigint, digits: number): string {
  const text = (v % 10n ** BigInt(digits)).toString().padStart(digits, '0').replace(/0+$/, '');
  return text === '' ? '' : `.${text}`;
}

/**
 * Go's time.Duration.String(): "0s", "250ms", "1.5µs", "1m2.82s", "27h46m40s" — the largest unit
 * hours, seconds with a trimmed fraction, smaller units only below one second.
 */
export function goDurationString(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u < 1_000_000_000n) {
    if (u < 1_000n) return `${sign}${u}ns`;
    if (u < NS_PER_MS) return `${sign}${u / 1_000n}${fraction(u, 3)}µs`;
    return `${sign}${u / NS_PER_MS}${fraction(u, 6)}ms`;
  }
  const totalSeconds = u / 1_000_000_000n;
  const seconds = `${totalSeconds % 60n}${fraction(u, 9)}s`;
  const totalMinutes = totalSeconds / 60n;
  if (totalMinutes === 0n) return `${sign}${seconds}`;
  const hours = totalMinutes / 60n;
  return `${sign}${hours > 0n ? `${hours}h` : ''}${totalMinutes % 60n}m${seconds}`;
}
