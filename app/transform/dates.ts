/**
 * Strict parsing of ISO-8601 timestamp text found where a date belongs (issue 13, D7/D8).
 * `new Date(text)` rolls impossible days over (2025-02-30 → March 2) and reads a date-time
 * without a zone in the process's time zone; neither is acceptable for a migration. The rule
 * (docs/data-model.md, "Timestamp strings"):
 *   - `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z`, `±HH:MM`, `±HHMM`, `±HH` or
 *     nothing; a space may stand for the `T` (PostgreSQL and MongoDB tools print it that way);
 *   - a text without a zone is UTC, the zone every BSON date is in;
 *   - every field must be in range for its calendar (Gregorian, leap years included): no rollover;
 *   - at most millisecond precision (a BSON date's), extra digits only if they are zeros.
 * Anything else is refused with a reason code. Pure: no I/O, never reads the process time zone.
 */

export type TimestampTextReason =
  /** Not of the form above. */
  | 'not_iso8601'
  /** Month, day, hour, minute or second out of range for the calendar (e.g. 2025-02-30). */
  | 'invalid_calendar_date'
  /** Offset beyond ±23:59 or with minutes ≥ 60. */
  | 'invalid_zone_offset'
  /** Non-zero digits below the millisecond, which a BSON date cannot hold. */
  | 'sub_millisecond_precision';

export type ParsedTimestampText = { ok: true; ms: number; zone: 'explicit' | 'utc-assumed' } | { ok: false; reason: TimestampTextReason; detail: string };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_DAYS[month - 1] as number);
}

const refuse = (reason: TimestampTextReason, detail: string): ParsedTimestampText => ({ ok: false, reason, detail });

/** Milliseconds since the epoch (UTC) of a timestamp text, or why it is refused. */
export function parseTimestampText(text: string): ParsedTimestampText {
  const m = ISO.exec(text);
  if (!m) return refuse('not_iso8601', 'expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]');
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const fraction = m[7] ?? '';
  if (month < 1 || month > 12) return refuse('invalid_calendar_date', `month ${m[2]} does not exist`);
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return refuse('invalid_calendar_date', `day ${m[3]} does not exist in ${m[1]}-${m[2]} (${days} days)`);
  if (hour > 23 || minute > 59 || second > 59) return refuse('invalid_calendar_date', `time ${m[4]}:${m[5]}${m[6] === undefined ? '' : `:${m[6]}`} does not exist`);
  if (/[1-9]/.test(fraction.slice(3))) return refuse('sub_millisecond_precision', `fraction .${fraction} is finer than a millisecond`);
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4) || '0');
    if (oh > 23 || om > 59) return refuse('invalid_zone_offset', `offset ${zone} is not a time zone offset`);
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  // Date.UTC maps years 0..99 to 1900..1999; setting the full year afterwards avoids that.
  const utc = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  utc.setUTCFullYear(year);
  return { ok: true, ms: utc.getTime() - offsetMinutes * 60_000, zone: zone === undefined ? 'utc-assumed' : 'explicit' };
}
