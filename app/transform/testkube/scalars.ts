/**
 * What the mongo-go-driver v2 decodes from one BSON value into a Go scalar, starting from the
 * value the Node.js driver hands us with its default options (promoteValues: Int32, Double and
 * Longs that fit 2^53 arrive as JS numbers; bigger Longs as Long; Decimal128, ObjectId, Binary …
 * as their bson classes). Wrapper objects (Int32, Double, Long) are accepted too, so documents
 * read with promoteValues: false map the same way.
 *
 * Rules follow the Go driver: null or a missing key gives the zero value; an integer field takes
 * a double only when it is whole and in range (the driver refuses to truncate); anything the Go
 * driver would refuse, or that would change on the way, is reported (fact sheet §6).
 */
import { fail } from './problems.js';
import { checkText } from './text.js';
import { GO_ZERO_TIME_MS } from './time.js';

/** A short name for the BSON type of a driver value, used in messages and dispatch. */
export function bsonKind(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value;
    case 'bigint':
      return 'Long';
    case 'object':
      break;
    default:
      return typeof value;
  }
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  const tag = (value as { _bsontype?: unknown })._bsontype;
  if (typeof tag === 'string') return tag === 'ObjectID' ? 'ObjectId' : tag;
  if (value instanceof RegExp) return 'BSONRegExp';
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return 'document';
  return (value as object).constructor?.name ?? 'object';
}

export function isNullish(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** A plain BSON sub-document as the driver returns it. */
export function isDocument(value: unknown): value is Record<string, unknown> {
  return bsonKind(value) === 'document';
}

function mismatch(path: string, expected: string, value: unknown): never {
  return fail(path, 'type-mismatch', `expected ${expected}, found BSON ${bsonKind(value)}`);
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An integer-valued BSON number as an exact bigint; undefined for non-numbers. */
function wholeNumber(value: unknown, path: string): bigint | undefined {
  const kind = bsonKind(value);
  if (kind === 'Long') {
    return typeof value === 'bigint' ? value : (value as { toBigInt(): bigint }).toBigInt();
  }
  if (kind === 'number' || kind === 'Int32' || kind === 'Double') {
    const n = Number((value as number | { valueOf(): number }).valueOf());
    if (!Number.isFinite(n)) fail(path, 'not-finite', `${n} is not a finite number`);
    if (!Number.isInteger(n)) fail(path, 'not-integer', `${n} is not a whole number; the Go driver does not truncate it into an integer field`);
    if (n < -(2 ** 63) || n >= 2 ** 63) fail(path, 'int64-range', `${n} does not fit a 64-bit integer`);
    return BigInt(n);
  }
  return undefined;
}

/**
 * Go int32 (number, durationMs, summary counts …). Int32 as is, negative values included
 * (fact sheet §6: they may come from an overflow in Go and are copied as they are); Long and
 * Double only when they hold an int32 exactly, never wrapped.
 */
export function decodeInt32(value: unknown, path: string): number {
  if (isNullish(value)) return 0;
  const whole = wholeNumber(value, path);
  if (whole === undefined) return mismatch(path, 'an int32', value);
  if (whole < BigInt(INT32_MIN) || whole > BigInt(INT32_MAX)) fail(path, 'int32-range', `${whole} does not fit the int32 column/field`);
  return Number(whole);
}

/** Go int64 (report summary duration), as exact decimal text: it may exceed 2^53. */
export function decodeInt64(value: unknown, path: string): bigint {
  if (isNullish(value)) return 0n;
  const whole = wholeNumber(value, path);
  if (whole === undefined) return mismatch(path, 'an int64', value);
  if (whole < INT64_MIN || whole > INT64_MAX) fail(path, 'int64-range', `${whole} does not fit a 64-bit integer`);
  return whole;
}

/** Go float64. NaN and ±Inf are refused because Go's encoding/json cannot write them. */
export function decodeFloat64(value: unknown, path: string): number {
  if (isNullish(value)) return 0;
  const kind = bsonKind(value);
  let n: number;
  if (kind === 'Long') n = Number(typeof value === 'bigint' ? value : (value as { toBigInt(): bigint }).toBigInt());
  else if (kind === 'number' || kind === 'Int32' || kind === 'Double') n = Number((value as number | { valueOf(): number }).valueOf());
  else return mismatch(path, 'a float64', value);
  if (!Number.isFinite(n)) fail(path, 'not-finite', `${n} cannot be written as JSON`);
  return n;
}

export function decodeBool(value: unknown, path: string): boolean {
  if (isNullish(value)) return false;
  if (typeof value === 'boolean') return value;
  return mismatch(path, 'a boolean', value);
}

export function decodeString(value: unknown, path: string): string {
  if (isNullish(value)) return '';
  if (typeof value === 'string') return checkText(value, path);
  // Sources are decoded with symbols kept (docs/data-model.md §2a); the Go driver reads one into a string.
  if (bsonKind(value) === 'BSONSymbol') return checkText(String(value), path);
  return mismatch(path, 'a string', value);
}

/** Go time.Time as epoch milliseconds; null or missing is the zero time. */
export function decodeTime(value: unknown, path: string): number {
  if (isNullish(value)) return GO_ZERO_TIME_MS;
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) fail(path, 'invalid-date', 'is a BSON date outside the range JavaScript can represent');
    return ms;
  }
  return mismatch(path, 'a date', value);
}
