/**
 * Strict parsers for setting values. Each takes the raw text (from a flag, env var or file)
 * and returns the typed value, or throws with a message saying what is allowed.
 * Nothing here is lenient: "12abc" is not 12, "yes" is not a boolean, 2026-02-30 is not a date.
 */

export class FormatError extends Error {}

export type FormatName = 'string' | 'secret' | 'url' | 'int' | 'positive-int' | 'bool' | 'duration' | 'date' | 'enum';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations as the original utility takes them: `5s`, `1m30s`, `500ms`, `1.5h`. Returns milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) {
    throw new FormatError('must be a duration such as 500ms, 5s, 1m30s or 2h');
  }
  let total = 0;
  for (const part of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(part[1]) * (DURATION_UNITS[part[2] as string] as number);
  }
  return Math.round(total);
}

export function parseInteger(text: string, min: number): number {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new FormatError(min > 0 ? 'must be a whole number of at least 1' : `must be a whole number of at least ${min}`);
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value) || value < min) throw new FormatError(`must be a whole number of at least ${min}`);
  return value;
}

export function parseBool(text: string): boolean {
  switch (text.trim().toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      throw new FormatError('must be true or false');
  }
}

/** A calendar date `YYYY-MM-DD`, interpreted as midnight UTC. */
export function parseDate(text: string): Date {
  const trimmed = text.trim();
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (!match) throw new FormatError('must be a date in the form YYYY-MM-DD');
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw new FormatError('must be a real calendar date in the form YYYY-MM-DD');
  }
  return date;
}

export function parseUrl(text: string, protocols: readonly string[]): string {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new FormatError(`must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new FormatError(`must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return trimmed;
}

export function parseEnum<T extends string>(text: string, allowed: readonly T[]): T {
  const trimmed = text.trim();
  if (!(allowed as readonly string[]).includes(trimmed)) throw new FormatError(`must be one of ${allowed.join(', ')}`);
  return trimmed as T;
}
