/**
 * Go time.Time as the driver decodes it from a BSON date (millisecond precision, UTC), written
 * either to a timestamptz column or inside JSONB (fact sheet §0, "Times").
 */
import { fail } from './problems.js';

/** Go's zero time.Time, 0001-01-01T00:00:00Z, as BSON stores it (not as null). */
export const GO_ZERO_TIME_MS = -62_135_596_800_000;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function parts(ms: number): { year: number; date: string; clock: string; millis: number } {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const date = `${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const clock = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return { year, date, clock, millis: d.getUTCMilliseconds() };
}

/**
 * Go's time.MarshalJSON: RFC3339Nano, fractional trailing zeros trimmed, `Z` for UTC. The zero
 * time comes out as exactly "0001-01-01T00:00:00Z". Go refuses years outside 0..9999, and then
 * Testkube's own Insert would not store the execution either, so such dates are reported.
 */
export function goJsonTime(ms: number, path: string): string {
  const { year, date, clock, millis } = parts(ms);
  if (year < 0 || year > 9999) fail(path, 'date-range', `year ${year} cannot be written by Go's encoding/json (0..9999)`);
  const fraction = millis === 0 ? '' : `.${pad(millis, 3).replace(/0+$/, '')}`;
  return `${pad(year, 4)}-${date}T${clock}${fraction}Z`;
}

/**
 * Testkube's toPgTimestamp: the zero time becomes NULL. Other values as ISO-8601 UTC text with
 * milliseconds, which PostgreSQL parses exactly. Years before 1 would need PostgreSQL's "BC"
 * notation and cannot come from Go code that writes real timestamps, so they are reported.
 */
export function pgTimestamp(ms: number, path: string): string | null {
  if (ms === GO_ZERO_TIME_MS) return null;
  const { year, date, clock, millis } = parts(ms);
  if (year < 1) fail(path, 'date-range', `year ${year} is before year 1`);
  return `${pad(year, 4)}-${date}T${clock}.${pad(millis, 3)}Z`;
}
