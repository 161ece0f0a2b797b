/**
 * Value types of settings. Each parses the raw text (from a flag, env var or file) strictly and
 * says what is allowed: "12abc" is not 12, "yes" is not a boolean, 2026-02-30 is not a date.
 * The metadata (kind, allowed form, example) also feeds --help, the docs and the chart's schema.
 */

import { MongoClient } from 'mongodb';

export class FormatError extends Error {}

export type ValueKind = 'string' | 'integer' | 'boolean' | 'duration' | 'date' | 'enum' | 'url';

export interface ValueType {
  kind: ValueKind;
  /** The allowed form in a few words, as --help shows it. */
  form: string;
  /** Returns the typed value or throws FormatError saying what is allowed. */
  parse(raw: string): unknown;
  /** A valid value (documentation, tests). */
  example: string;
  /** An invalid value of the right shape-ish (tests); absent when any text is allowed. */
  counterexample?: string;
  /** enum: the allowed values. */
  values?: readonly string[];
  /** integer: the smallest allowed value. */
  min?: number;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * Go durations, as the original utility takes them (time.ParseDuration, unsigned): `5s`,
 * `1m30s`, `500ms`, `1.5h`, `0`. Returns milliseconds.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (!/^((\d+(\.\d+)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(trimmed)) {
    throw new FormatError('must be a duration such as 500ms, 5s, 1m30s or 2h');
  }
  let total = 0;
  for (const part of trimmed.matchAll(DURATION_PART)) {
    total += Number(part[1]) * (DURATION_UNITS[part[2] as string] as number);
  }
  if (!Number.isSafeInteger(Math.round(total))) throw new FormatError('must be a duration such as 500ms, 5s, 1m30s or 2h (this one is too long)');
  return Math.round(total);
}

export function parseInteger(text: string, min: number): number {
  const trimmed = text.trim();
  const message = `must be a whole number of at least ${min}`;
  if (!/^-?\d+$/.test(trimmed)) throw new FormatError(message);
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value) || value < min) throw new FormatError(message);
  return value;
}

/** Exactly the spellings Go's strconv.ParseBool accepts, so the original's values keep working. */
export const BOOLEAN_TRUE = ['true', 'TRUE', 'True', 't', 'T', '1'] as const;
export const BOOLEAN_FALSE = ['false', 'FALSE', 'False', 'f', 'F', '0'] as const;

export function parseBool(text: string): boolean {
  const trimmed = text.trim();
  if ((BOOLEAN_TRUE as readonly string[]).includes(trimmed)) return true;
  if ((BOOLEAN_FALSE as readonly string[]).includes(trimmed)) return false;
  throw new FormatError('must be true or false');
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
  const message = `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new FormatError(trimmed.includes('@') ? `${message}; ${ENCODE_HINT}` : message);
  }
  if (!protocols.includes(url.protocol)) throw new FormatError(message);
  return trimmed;
}

export function parseEnum<T extends string>(text: string, allowed: readonly T[]): T {
  const trimmed = text.trim();
  if (!(allowed as readonly string[]).includes(trimmed)) throw new FormatError(`must be one of ${allowed.join(', ')}`);
  return trimmed as T;
}

/** Said when a connection string with credentials does not parse: the usual cause, without quoting any of it. */
export const ENCODE_HINT = 'a user name or password containing any of @ : / ? # [ ] % must be percent-encoded (e.g. @ as %40, : as %3A, / as %2F, % as %25)';

/**
 * A MongoDB connection string, checked by the driver's own parser (no I/O): seed lists
 * (`h1:27017,h2:27017`), `mongodb+srv://` and every URI option, as the driver will read them.
 * With credentials in it, the driver's message is not repeated: it quotes pieces of the string,
 * which for a password that is not percent-encoded are pieces of the password (issue 13, D10).
 */
export function parseMongoDsn(text: string): string {
  const trimmed = text.trim();
  try {
    // The constructor parses and validates; connecting is a separate step.
    new MongoClient(trimmed);
  } catch (err) {
    const form = 'must be a MongoDB connection string: mongodb://[user:password@]host[:port][,host…][/db][?options] or mongodb+srv://…';
    if (trimmed.includes('@')) throw new FormatError(`${form}; ${ENCODE_HINT}`);
    throw new FormatError(`${form} (${err instanceof Error ? err.message : String(err)})`);
  }
  return trimmed;
}

/** '' means "not set" for optional values; the typed config holds `empty` then. */
function optional(type: ValueType, empty: unknown): ValueType {
  return { ...type, form: `${type.form}, or empty`, parse: (raw) => (raw.trim() === '' ? empty : type.parse(raw)) };
}

export const text = (): ValueType => ({ kind: 'string', form: 'text', parse: (raw) => raw, example: 'some-text' });

export const integer = (min: number): ValueType => ({
  kind: 'integer', form: `whole number ≥ ${min}`, min, parse: (raw) => parseInteger(raw, min), example: String(min + 7), counterexample: '12abc',
});

export const boolean = (): ValueType => ({ kind: 'boolean', form: 'true|false', parse: parseBool, example: 'true', counterexample: 'yes' });

export const duration = (): ValueType => ({ kind: 'duration', form: 'duration (500ms, 5s, 1m30s)', parse: parseDuration, example: '7s', counterexample: '5' });

export const date = (): ValueType => optional({ kind: 'date', form: 'YYYY-MM-DD', parse: parseDate, example: '2025-01-31', counterexample: '2025-02-30' }, null);

export const oneOf = <T extends string>(values: readonly T[]): ValueType => ({
  kind: 'enum', form: values.join('|'), values, parse: (raw) => parseEnum(raw, values), example: values.at(-1) as string, counterexample: 'none-of-these',
});

export const url = (protocols: readonly string[], options: { optional?: boolean } = {}): ValueType => {
  const type: ValueType = {
    kind: 'url', form: `${protocols.map((p) => `${p}//…`).join(' or ')} URL`, parse: (raw) => parseUrl(raw, protocols),
    example: `${protocols[0]}//example.internal:1234/x`, counterexample: 'not a url',
  };
  return options.optional ? optional(type, '') : type;
};

export const mongoDsn = (): ValueType => ({
  kind: 'url', form: 'mongodb://… or mongodb+srv://… connection string', parse: parseMongoDsn,
  example: 'mongodb://user:password@mongo-0:27017,mongo-1:27017/?replicaSet=rs0', counterexample: 'mongodb://host:port-is-not-a-number',
});

/** A type with its own rule (e.g. a MongoDB database name); kind says what the value is. */
export const custom = (base: ValueType, form: string, parse: (raw: string) => unknown, counterexample?: string): ValueType => ({
  ...base, form, parse, ...(counterexample === undefined ? {} : { counterexample }),
});
