/**
 * Deliberate BSON → PostgreSQL value mapping for the control-plane transforms: the value table of
 * docs/data-model.md §2a, row by row. Each mapper either returns a value PostgreSQL stores
 * faithfully (or with the table's documented, value-preserving change) or throws TransformError
 * naming the field and the table's reason code; nothing is silently rounded, truncated or coerced.
 *
 * Free-form parts (jsonb) use MongoDB Relaxed Extended JSON v2 for types JSON has no word for
 * ({"$oid"}, {"$date"}, {"$numberDecimal"}, {"$numberLong"} beyond 2^53, {"$binary"} …), with one
 * deliberate difference: a Double is always written with a decimal point (`1.0`, which jsonb
 * keeps), so it never reads back as an integer. A jsonb value can always be turned back into the
 * exact BSON it came from.
 */
import { Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } from '../source/bson.js';
import { BSON_UNDEFINED, DBPointer } from '../source/legacy-bson.js';
import { TransformError } from '../errors.js';
import { parseTimestampText } from './dates.js';

/** Reason codes of the value table (docs/data-model.md §2a), carried in TransformError.context.reason. */
export type ValueReason = 'missing' | 'type-mismatch' | 'nul-byte' | 'lone-surrogate' | 'too-long' | 'not-finite' | 'not-integer' | 'int32-range' | 'int64-range' | 'inexact-double' | 'invalid-date' | 'date-range' | 'unsupported-bson-type';

/** A value the table reports: the record fails with this message, field and reason. */
export function valueError(reason: ValueReason, message: string, field: string): TransformError {
  return new TransformError(message, { field, context: { reason } });
}

/** PostgreSQL timestamptz accepts 4713 BC .. 294276 AD; JS Date covers ±275760 years, so only the low end needs a check. */
const PG_MIN_TIMESTAMP_MS = Date.UTC(-4712, 0, 1);
const YEAR_1_MS = -62_135_596_800_000;
const YEAR_9999_END_MS = 253_402_300_799_999;

export function isMissing(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** PostgreSQL text cannot hold U+0000; a lone surrogate cannot be encoded as UTF-8. */
export function checkText(value: string, field: string): string {
  if (value.includes('\u0000')) throw valueError('nul-byte', 'contains a NUL character, which PostgreSQL text cannot store', field);
  if (!value.isWellFormed()) throw valueError('lone-surrogate', 'contains a lone UTF-16 surrogate, which is not valid UTF-8', field);
  return value;
}

export function toText(value: unknown, field: string, options: { maxLength?: number } = {}): string | null {
  if (isMissing(value)) return null;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value instanceof BSONSymbol) text = value.valueOf() as string; // a deprecated string type: its text
  else if (value instanceof ObjectId) text = value.toHexString();
  else if (typeof value === 'number' || typeof value === 'bigint' || value instanceof Int32 || value instanceof Long || value instanceof Double || value instanceof Decimal128) {
    // A number where text is expected: kept as its exact decimal text.
    text = toNumericText(value, field) as string;
  } else throw valueError('type-mismatch', `expected text, got ${bsonTypeName(value)}`, field);
  checkText(text, field);
  // UTF-16 length bounds the character count from above, so most strings skip the exact count.
  if (options.maxLength !== undefined && text.length > options.maxLength) {
    const chars = [...text].length;
    if (chars > options.maxLength) throw valueError('too-long', `is ${chars} characters long, longer than the column's ${options.maxLength}`, field);
  }
  return text;
}

export function requireText(value: unknown, field: string, options: { maxLength?: number } = {}): string {
  const text = toText(value, field, options);
  if (text === null) throw valueError('missing', 'is required but missing or null', field);
  return text;
}

/** An id: ObjectId → 24-hex, string kept as is. */
export function toId(value: unknown, field: string): string | null {
  if (isMissing(value)) return null;
  if (value instanceof ObjectId) return value.toHexString();
  if (typeof value === 'string') return requireText(value, field, { maxLength: 64 });
  throw valueError('type-mismatch', `expected an ObjectId or string id, got ${bsonTypeName(value)}`, field);
}

const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Exact decimal text for numeric columns; accepts numbers stored as strings but never guesses. */
export function toNumericText(value: unknown, field: string): string | null {
  if (isMissing(value)) return null;
  if (value instanceof Timestamp) throw valueError('type-mismatch', 'expected a number, got Timestamp', field);
  if (typeof value === 'number' || value instanceof Double) {
    const n = typeof value === 'number' ? value : value.value;
    if (!Number.isFinite(n)) throw valueError('not-finite', `is ${n}, which a numeric column cannot hold`, field);
    // The shortest decimal that reads back as the same double (ECMAScript Number::toString).
    return Object.is(n, -0) ? '-0' : String(n);
  }
  if (value instanceof Int32) return String(value.value);
  if (value instanceof Long) return value.toString();
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Decimal128) {
    const text = value.toString();
    if (/NaN|Infinity/.test(text)) throw valueError('not-finite', `is Decimal128 ${text}, which a numeric column cannot hold`, field);
    return text;
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (!NUMERIC_TEXT.test(trimmed)) throw valueError('type-mismatch', `expected a number, got the string ${JSON.stringify(value.slice(0, 40))}`, field);
    return trimmed;
  }
  throw valueError('type-mismatch', `expected a number, got ${bsonTypeName(value)}`, field);
}

/** An integer that must fit the column's range exactly (int4 or int8 bounds). */
export function toInteger(value: unknown, field: string, bits: 32 | 64 = 32): string | number | null {
  let text = toNumericText(value, field);
  if (text === null) return null;
  // An integral double of 1e21 and beyond prints with an exponent; its value is still whole.
  const n = typeof value === 'number' ? value : value instanceof Double ? value.value : Number.NaN;
  if (Number.isInteger(n)) text = BigInt(n).toString();
  if (!/^[+-]?\d+$/.test(text)) throw valueError('not-integer', `expected a whole number, got ${text}`, field);
  const big = BigInt(text);
  const limit = bits === 32 ? 2n ** 31n : 2n ** 63n;
  if (big < -limit || big >= limit) throw valueError(bits === 32 ? 'int32-range' : 'int64-range', `${text} does not fit a ${bits}-bit integer column`, field);
  return bits === 32 ? Number(big) : big.toString();
}

export function toBool(value: unknown, field: string): boolean | null {
  if (isMissing(value)) return null;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw valueError('type-mismatch', `expected a boolean, got ${bsonTypeName(value)} ${typeof value === 'string' ? JSON.stringify(value.slice(0, 20)) : ''}`.trimEnd(), field);
}

const MS_PER_DAY = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let cachedDay = Number.NaN;
let cachedDayPrefix = '';

/**
 * `new Date(ms).toISOString()` for years 1..9999, several times faster: the date part is kept for
 * the last day seen (a collection read in `_id` order mostly moves through time), the time of day
 * is arithmetic. This runs for most bulk documents.
 */
export function isoTimestamp(ms: number): string {
  const day = Math.floor(ms / MS_PER_DAY);
  if (day !== cachedDay) {
    cachedDayPrefix = new Date(day * MS_PER_DAY).toISOString().slice(0, 11);
    cachedDay = day;
  }
  let rest = ms - day * MS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${cachedDayPrefix}${TWO_DIGITS[hours] as string}:${TWO_DIGITS[minutes] as string}:${TWO_DIGITS[seconds] as string}.${THREE_DIGITS[rest - seconds * 1000] as string}Z`;
}

/** A Date → ISO-8601 UTC text with milliseconds. Invalid or out-of-range dates fail the record. */
export function toTimestamp(value: unknown, field: string): string | null {
  if (isMissing(value)) return null;
  let date: Date;
  if (value instanceof Date) {
    // The common case first: a valid date of years 1..9999 is exactly its ISO text.
    const ms = value.getTime();
    if (ms >= YEAR_1_MS && ms <= YEAR_9999_END_MS) return isoTimestamp(ms);
    date = value;
  }
  else if (typeof value === 'string') {
    // Strict, time-zone independent (app/transform/dates.ts): no rolled-over days, no local time.
    const parsed = parseTimestampText(value);
    if (!parsed.ok) throw new TransformError(`${parsed.reason}: ${JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)} is not a valid timestamp (${parsed.detail})`, { field, context: { reason: parsed.reason } });
    date = new Date(parsed.ms);
  } else throw valueError('type-mismatch', `expected a date, got ${bsonTypeName(value)}`, field);
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw valueError('invalid-date', 'is a date outside the range JavaScript and PostgreSQL can represent', field);
  if (ms < PG_MIN_TIMESTAMP_MS) throw valueError('date-range', `date ${date.toISOString()} is before PostgreSQL's earliest timestamp (4713 BC)`, field);
  return formatIsoTimestamp(date);
}

/** ISO text PostgreSQL parses for any year, including negative and 5+ digit years. */
export function formatIsoTimestamp(date: Date): string {
  const year = date.getUTCFullYear();
  if (year >= 1 && year <= 9999) return date.toISOString();
  const rest = date.toISOString().replace(/^[+-]?\d+/, '');
  // PostgreSQL wants "YYYY-..." with a BC suffix for years <= 0 (astronomical year 0 = 1 BC).
  return year <= 0 ? `${String(1 - year).padStart(4, '0')}${rest.replace('Z', '+00')} BC` : `${year}${rest}`;
}

export function bsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined || value === BSON_UNDEFINED) return 'undefined';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (typeof value === 'object' && '_bsontype' in value) return String((value as { _bsontype: string })._bsontype);
  return typeof value;
}

const quote = (text: string, field: string): string => JSON.stringify(checkText(text, field));

/**
 * Where a value sits, as `parent.key` or `parent[i]`. Built only for an error message or a nested
 * container: building it for every leaf was a large part of the cost of wide jsonb values.
 */
type Key = string | number | undefined;
function pathOf(parent: string, key: Key): string {
  return key === undefined ? parent : typeof key === 'number' ? `${parent}[${key}]` : `${parent}.${key}`;
}

/** A string value or key: JSON-quoted after the checks of checkText, its path named on failure. */
function quoteAt(text: string, parent: string, key: Key, suffix = ''): string {
  if (text.includes('\u0000') || !text.isWellFormed()) checkText(text, `${pathOf(parent, key)}${suffix}`);
  return JSON.stringify(text);
}

/**
 * BSON → JSON text in Relaxed Extended JSON v2, checked for what jsonb cannot store (U+0000 in
 * strings or keys, lone surrogates). Written straight to text: this runs once per document in the
 * bulk phase, and building an intermediate object tree doubled its cost.
 */
export function toJsonText(value: unknown, field: string): string {
  return jsonAt(value, field, undefined);
}

function jsonAt(value: unknown, parent: string, key: Key): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quoteAt(value, parent, key);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // A plain number (documents built in code, not decoded) is the BSON the driver would store:
      // an Int32 when it is integral and fits, else a Double.
      return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 && !Object.is(value, -0) ? String(value) : doubleJson(value);
    case 'bigint':
      return `{"$numberLong":"${value.toString()}"}`;
    case 'undefined':
      return '{"$undefined":true}';
    case 'object':
      break;
    default:
      throw new TransformError(`cannot store a ${typeof value}`, { field: pathOf(parent, key) });
  }
  if (Array.isArray(value)) {
    const field = pathOf(parent, key);
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + jsonAt(value[i], field, i);
    return `${out}]`;
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new TransformError('is a date outside the range JavaScript can represent', { field: pathOf(parent, key) });
    return ms >= 0 && ms <= YEAR_9999_END_MS ? `{"$date":"${isoTimestamp(ms)}"}` : `{"$date":{"$numberLong":"${ms}"}}`;
  }
  if (!('_bsontype' in (value as object))) {
    const proto: unknown = Object.getPrototypeOf(value);
    // A JavaScript RegExp among them: sources are decoded with bsonRegExp, so a regex is a BSONRegExp.
    if (proto !== Object.prototype && proto !== null) {
      throw valueError('unsupported-bson-type', `has an unsupported value of type ${(value as object).constructor?.name ?? 'unknown'}`, pathOf(parent, key));
    }
    const field = pathOf(parent, key);
    let out = '{';
    let first = true;
    for (const k in value as Record<string, unknown>) {
      if (!Object.hasOwn(value, k)) continue;
      out += `${first ? '' : ','}${quoteAt(k, field, undefined, ' key')}:${jsonAt((value as Record<string, unknown>)[k], field, k)}`;
      first = false;
    }
    return `${out}}`;
  }
  const field = pathOf(parent, key);
  if (value instanceof ObjectId) return `{"$oid":"${value.toHexString()}"}`;
  // Timestamp is a subclass of Long in the bson package: test it first.
  if (value instanceof Timestamp) return `{"$timestamp":{"t":${value.high >>> 0},"i":${value.low >>> 0}}}`;
  if (value instanceof Int32) return String(value.value);
  if (value instanceof Double) return doubleJson(value.value);
  if (value instanceof Long) {
    const n = value.toNumber();
    return Number.isSafeInteger(n) ? String(n) : `{"$numberLong":"${value.toString()}"}`;
  }
  if (value instanceof Decimal128) return `{"$numberDecimal":"${value.toString()}"}`;
  if (value instanceof UUID || value instanceof Binary) {
    const bin = value as Binary;
    return `{"$binary":{"base64":"${Buffer.from(bin.buffer).toString('base64')}","subType":"${bin.sub_type.toString(16).padStart(2, '0')}"}}`;
  }
  if (value instanceof BSONRegExp) return `{"$regularExpression":{"pattern":${quote(value.pattern, field)},"options":${quote(value.options, field)}}}`;
  if (value instanceof Code) {
    const code = quote(value.code, field);
    return value.scope ? `{"$code":${code},"$scope":${toJsonText(value.scope, `${field}.$scope`)}}` : `{"$code":${code}}`;
  }
  if (value instanceof BSONSymbol) return `{"$symbol":${quote(value.valueOf() as string, field)}}`;
  if (value instanceof MinKey) return '{"$minKey":1}';
  if (value instanceof MaxKey) return '{"$maxKey":1}';
  if (value instanceof DBRef) {
    // A DBRef is a document with `$ref`, `$id`, optional `$db` and any further fields: all kept.
    let out = `{"$ref":${quote(value.collection, field)},"$id":${toJsonText(value.oid, `${field}.$id`)}`;
    if (value.db !== undefined) out += `,"$db":${quote(value.db, field)}`;
    for (const k in value.fields) if (Object.hasOwn(value.fields, k)) out += `,${quoteAt(k, field, undefined, ' key')}:${jsonAt(value.fields[k], field, k)}`;
    return `${out}}`;
  }
  if (value instanceof DBPointer) return `{"$dbPointer":{"$ref":${quote(value.namespace, field)},"$id":{"$oid":"${value.oid.toHexString()}"}}}`;
  if (value === BSON_UNDEFINED) return '{"$undefined":true}';
  throw valueError('unsupported-bson-type', `has unsupported BSON type ${bsonTypeName(value)}`, field);
}

/**
 * A Double as jsonb keeps it: a finite value as a JSON number that always has a decimal point
 * (`1.0`, `-1.0`, `1234567892123200000.0`, `0.1`; jsonb stores numbers as numeric, which keeps the
 * point and its digits), so it reads back as a Double, never as an integer; its digits are the
 * shortest decimal that reads back as the same double. -0.0, NaN and ±Infinity have no JSON number:
 * `{"$numberDouble": "-0.0" | "NaN" | "Infinity" | "-Infinity"}` (Extended JSON v2).
 */
export function doubleJson(n: number): string {
  if (!Number.isFinite(n) || Object.is(n, -0)) return `{"$numberDouble":"${Object.is(n, -0) ? '-0.0' : String(n)}"}`;
  const text = String(n);
  if (!Number.isInteger(n)) return text; // has a point or a negative exponent: numeric keeps a fraction
  const e = text.indexOf('e');
  if (e < 0) return `${text}.0`;
  // 1e+21 and beyond: the mantissa's digits followed by zeros (numeric would drop an exponent's point).
  const mantissa = text.slice(0, e).replace('.', '');
  const digits = mantissa.replace('-', '');
  const point = text.slice(0, e).indexOf('.');
  const intDigits = (point < 0 ? e : point) - (n < 0 ? 1 : 0);
  return `${n < 0 ? '-' : ''}${digits.padEnd(intDigits + Number(text.slice(e + 1)), '0')}.0`;
}

/** jsonb column text, or SQL NULL for a missing/null value. */
export function toJsonb(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  return toJsonText(value, field);
}

/** Every top-level field the mapping did not name, as jsonb, or NULL when there are none. */
export function extraFields(doc: Record<string, unknown>, mapped: ReadonlySet<string>, field = 'extra'): string | null {
  let out = '';
  for (const key in doc) {
    if (!Object.hasOwn(doc, key) || mapped.has(key)) continue;
    out += `${out === '' ? '{' : ','}${quoteAt(key, field, undefined, ' key')}:${jsonAt(doc[key], field, key)}`;
  }
  return out === '' ? null : `${out}}`;
}
