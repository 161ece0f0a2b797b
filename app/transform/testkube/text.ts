/**
 * Strings on their way into PostgreSQL text, varchar and jsonb.
 * PostgreSQL cannot store U+0000 in text or jsonb, and a lone UTF-16 surrogate would be turned
 * into U+FFFD when the string is encoded as UTF-8 for the wire: both would silently change the
 * value, so they are reported instead (product brief: never silently changed).
 */
import { fail } from './problems.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function checkText(value: string, path: string): string {
  if (value.includes('\u0000')) fail(path, 'nul-byte', 'contains a NUL character (U+0000), which PostgreSQL text and jsonb cannot hold');
  if (LONE_SURROGATE.test(value)) fail(path, 'lone-surrogate', 'contains a lone UTF-16 surrogate, which has no UTF-8 encoding');
  return value;
}

/** varchar(n) counts characters (code points), not bytes or UTF-16 units. */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}

export function checkLength(value: string, max: number, path: string): string {
  const length = codePointLength(value);
  if (length > max) fail(path, 'too-long', `is ${length} characters long; the column is varchar(${max})`);
  return value;
}

/**
 * Testkube's toPgText: "" is written as NULL (fact sheet §0, "Empty strings"); longer than the
 * varchar limit is an error (fact sheet §6, "VARCHAR limits").
 */
export function pgText(value: string, path: string, max?: number): string | null {
  if (value === '') return null;
  return max === undefined ? value : checkLength(value, max, path);
}
