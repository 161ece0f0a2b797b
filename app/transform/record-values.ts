/**
 * Mappers the record-level control-plane transforms share on top of app/transform/values.ts:
 * typed `_id` keys, jsonb that keeps an explicit null, PostgreSQL array and bytea literals, and
 * rows built by column name so a table's column list and its row can never disagree.
 * Like values.ts, each mapper returns a faithful value or throws TransformError naming the field.
 */
import { createHash } from 'node:crypto';
import { ObjectId, type Document } from '../source/bson.js';
import type { PgValue } from '../datasets/types.js';
import { bsonTypeName, checkText, isMissing, toJsonText, toText, valueError } from './values.js';

/** A row given by column name, returned in the table's column order. */
export function rowOf<C extends string>(columns: readonly C[], values: Readonly<Record<C, PgValue>>): PgValue[] {
  return columns.map((c) => values[c]);
}

/** `_id` of a collection keyed by ObjectId: the 24 lowercase hex digits. Any other type is an error. */
export function objectIdKey(value: unknown, field = '_id'): string {
  if (value instanceof ObjectId) return value.toHexString();
  throw valueError('type-mismatch', `expected an ObjectId, got ${bsonTypeName(value)}`, field);
}

/** `_id` of a collection keyed by string (`tkcorg_…`, config keys). Any other type is an error. */
export function stringKey(value: unknown, field = '_id', maxLength: number | undefined = 64): string {
  if (typeof value !== 'string') throw valueError('type-mismatch', `expected a string id, got ${bsonTypeName(value)}`, field);
  return toText(value, field, maxLength === undefined ? {} : { maxLength }) as string;
}

/** A required string id column (organization_id, environment_id …): a string of at most 64 characters. */
export function requireIdText(value: unknown, field: string): string {
  if (isMissing(value)) throw valueError('missing', 'is required but missing or null', field);
  if (typeof value !== 'string') throw valueError('type-mismatch', `expected a string id, got ${bsonTypeName(value)}`, field);
  return toText(value, field, { maxLength: 64 }) as string;
}

/** An optional string id column: NULL when missing or null, else as requireIdText. */
export function toIdText(value: unknown, field: string): string | null {
  return isMissing(value) ? null : requireIdText(value, field);
}

/**
 * A jsonb column. Missing → SQL NULL; an explicit null → JSON `null` (docs/data-model.md §2: the
 * jsonb columns keep null and missing apart); anything else as Relaxed Extended JSON.
 */
export function jsonbColumn(value: unknown, field: string): string | null {
  if (value === undefined) return null;
  return toJsonText(value, field);
}

/** A plain embedded document (not an array, date or BSON value type). */
export function isDocument(value: unknown): value is Document {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !('_bsontype' in value);
}

/** Quotes one array element for a PostgreSQL array literal: inside "", backslash and quote escaped. */
function arrayElement(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * A `text[]` / `varchar(n)[]` column as a PostgreSQL array literal. Only arrays of strings are
 * accepted: a non-string element (or a non-array) is an error, never coerced. Missing/null → NULL.
 */
export function toTextArray(value: unknown, field: string, options: { maxLength?: number } = {}): string | null {
  if (isMissing(value)) return null;
  if (!Array.isArray(value)) throw valueError('type-mismatch', `expected an array of strings, got ${bsonTypeName(value)}`, field);
  const parts = value.map((element: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof element !== 'string') throw valueError('type-mismatch', `expected a string, got ${bsonTypeName(element)}`, at);
    return arrayElement(toText(element, at, options) as string);
  });
  return `{${parts.join(',')}}`;
}

/** A bytea value as PostgreSQL's hex input form (`\x…`), so it travels as ordinary text. */
export function byteaHex(bytes: Uint8Array): string {
  return `\\x${Buffer.from(bytes).toString('hex')}`;
}

/** SHA-256 of a secret's UTF-8 bytes as lowercase hex: how tokens are stored, never the plaintext. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * A plaintext secret (legacy `token` fields): must be a string; the error never quotes it. Its
 * text is checked like any column value, because its prefix may be stored.
 */
export function secretText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw valueError('type-mismatch', `expected a string, got ${bsonTypeName(value)}`, field);
  return checkText(value, field);
}

/** Integer cents as exact decimal text in major units: 4900 → "49.00", -5 → "-0.05". */
export function centsToMajorUnits(cents: string | number): string {
  const text = String(cents);
  const negative = text.startsWith('-');
  const digits = text.replace(/^[+-]/, '').padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2).replace(/^0+(?=\d)/, '')}.${digits.slice(-2)}`;
}

/** A reference id for the integrity check: a string as is, an ObjectId as hex, anything else none. */
export function refId(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value instanceof ObjectId) return value.toHexString();
  return null;
}
