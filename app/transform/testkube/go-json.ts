/**
 * BSON value → the JSON text Testkube's PostgreSQL repository would write for it.
 *
 * Testkube decodes a document into its Go structs with the mongo-go-driver and writes each JSONB
 * column with Go's json.Marshal (fact sheet §0, §3). This module does both steps at once, driven
 * by the struct tables in go-model.ts:
 *   - struct fields are found by BSON key (lowercase Go name; the driver also matches a key in
 *     lowercase), and written under their json tag in declaration order;
 *   - `omitempty` drops false, 0, "", nil pointers, and nil or empty maps and slices; structs
 *     (time.Time included) are never dropped;
 *   - a missing or null value is the Go zero value: "" / 0 / false / "0001-01-01T00:00:00Z",
 *     and `null` for nil pointers, maps, slices and interfaces;
 *   - map keys are user data and are copied verbatim, including escaped dots (fact sheet §0);
 *   - keys Go would not decode into any field are skipped, as Go skips them, and reported to
 *     the caller's onDropped hook.
 */
import { buildStructs, parseGoType, type GoStruct, type GoType, type StructTable } from './go-types.js';
import { GO_STRUCTS } from './go-model.js';
import { child, fail, index } from './problems.js';
import {
  bsonKind,
  decodeBool,
  decodeFloat64,
  decodeInt32,
  decodeInt64,
  decodeString,
  decodeTime,
  isDocument,
  isNullish,
} from './scalars.js';
import { checkText } from './text.js';
import { goJsonTime } from './time.js';

export type DropReason =
  /** No Go field takes this key, so Testkube never sees it. */
  | 'unknown-field'
  /** A Go field exists but Testkube's PostgreSQL schema has no place for it (fact sheet §6). */
  | 'not-stored'
  /** The December 2024 top-level `config` field, ignored by current code (fact sheet §1a). */
  | 'legacy-field';

export interface WalkOptions {
  /** Told about every source value that does not reach PostgreSQL, so nothing goes unnoticed. */
  onDropped?: (path: string, reason: DropReason) => void;
}

/** JSON text plus whether Go's omitempty would consider the value empty. */
export interface Encoded {
  json: string;
  empty: boolean;
}

/** Go's strings.ToLower for field matching; it maps U+0130 to a plain "i", JavaScript does not. */
function goLower(key: string): string {
  return key.replace(/\u0130/g, 'i').toLowerCase();
}

/** Go's float64 JSON form. Same thresholds and shortest digits as JavaScript, except -0. */
export function goFloat(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** The rules above over one struct table: go-model.ts for executions, more for resources. */
export interface GoCodec {
  /** A Go type written as in go-model.ts, e.g. `*TestWorkflowSpec` or `map[string]string`. */
  type(text: string): GoType;
  /**
   * Decodes a BSON document into the fields of a Go struct: BSON key → raw driver value. Two keys
   * that differ only in case (`status`, `Status`) land in the same Go field; the Go driver then
   * merges them field by field into one value. That cannot be reproduced exactly without
   * guessing, and Testkube never writes such documents, so it is reported.
   */
  readStruct(name: string, value: unknown, path: string, options: WalkOptions): Map<string, unknown>;
  /** What json.Marshal writes for `type` holding the Go value decoded from `value`. */
  encode(type: GoType, value: unknown, path: string, options: WalkOptions): Encoded;
}

export function goCodec(table: StructTable): GoCodec {
  let structs: ReadonlyMap<string, GoStruct> | undefined;
  const typeCache = new Map<string, GoType>();

  function structNamed(name: string): GoStruct {
    structs ??= buildStructs(table);
    const found = structs.get(name);
    if (!found) throw new Error(`go-model: no struct ${name}`);
    return found;
  }

  function type(text: string): GoType {
    let parsed = typeCache.get(text);
    if (!parsed) {
      parsed = parseGoType(text, table);
      typeCache.set(text, parsed);
    }
    return parsed;
  }

  function readStruct(name: string, value: unknown, path: string, options: WalkOptions): Map<string, unknown> {
    const out = new Map<string, unknown>();
    if (isNullish(value)) return out;
    if (!isDocument(value)) fail(path, 'type-mismatch', `expected a document (${name}), found BSON ${bsonKind(value)}`);
    const struct = structNamed(name);
    for (const key of Object.keys(value)) {
      const field = struct.byBsonKey.get(goLower(key));
      if (!field) {
        options.onDropped?.(child(path, key), 'unknown-field');
        continue;
      }
      if (out.has(field.bsonKey)) fail(child(path, key), 'duplicate-field', `decodes into the same Go field as another key (${field.bsonKey})`);
      out.set(field.bsonKey, value[key]);
    }
    return out;
  }

  function encode(type: GoType, value: unknown, path: string, options: WalkOptions): Encoded {
    switch (type.kind) {
      case 'string': {
        const s = decodeString(value, path);
        return { json: JSON.stringify(s), empty: s === '' };
      }
      case 'bool': {
        const b = decodeBool(value, path);
        return { json: String(b), empty: !b };
      }
      case 'int32': {
        const n = decodeInt32(value, path);
        return { json: String(n), empty: n === 0 };
      }
      case 'int64': {
        const n = decodeInt64(value, path);
        return { json: n.toString(), empty: n === 0n };
      }
      case 'float64': {
        const n = decodeFloat64(value, path);
        return { json: goFloat(n), empty: n === 0 };
      }
      case 'time':
        return { json: JSON.stringify(goJsonTime(decodeTime(value, path), path)), empty: false };
      case 'any':
        return { json: encodeAny(value, path), empty: isNullish(value) };
      case 'boxedInt':
        return { json: encodeBoxedInt(value, path), empty: false };
      case 'ptr':
        if (isNullish(value)) return { json: 'null', empty: true };
        return { json: encode(type.elem, value, path, options).json, empty: false };
      case 'slice': {
        if (isNullish(value)) return { json: 'null', empty: true };
        if (!Array.isArray(value)) fail(path, 'type-mismatch', `expected an array, found BSON ${bsonKind(value)}`);
        const items = value.map((item, i) => encode(type.elem, item, index(path, i), options).json);
        return { json: `[${items.join(',')}]`, empty: items.length === 0 };
      }
      case 'map': {
        if (isNullish(value)) return { json: 'null', empty: true };
        if (!isDocument(value)) fail(path, 'type-mismatch', `expected a document, found BSON ${bsonKind(value)}`);
        const entries = Object.keys(value).map((key) => {
          const at = child(path, key);
          return `${JSON.stringify(checkText(key, at))}:${encode(type.elem, value[key], at, options).json}`;
        });
        return { json: `{${entries.join(',')}}`, empty: entries.length === 0 };
      }
      case 'struct':
        return { json: encodeStruct(type.name, value, path, options), empty: false };
    }
  }

  function encodeStruct(name: string, value: unknown, path: string, options: WalkOptions): string {
    const fields = readStruct(name, value, path, options);
    const parts: string[] = [];
    for (const field of structNamed(name).fields) {
      const encoded = encode(field.type, fields.get(field.bsonKey), child(path, field.bsonKey), options);
      if (field.omitEmpty && encoded.empty) continue;
      parts.push(`${JSON.stringify(field.jsonKey)}:${encoded.json}`);
    }
    return `{${parts.join(',')}}`;
  }

  return { type, readStruct, encode };
}

const executions = goCodec(GO_STRUCTS);
export const goType = executions.type;
export const readStruct = executions.readStruct;
export const encodeGo = executions.encode;

/**
 * interface{} values (output values, matrix, shards, static): what the driver decodes them into
 * and json.Marshal writes. Dates as Go time strings, ObjectIds as hex, Decimal128 as its exact
 * decimal string (the Go driver's MarshalJSON for these types). Longs keep all their digits
 * (Testkube's Clone() round trip would round them past 2^53; PostgreSQL numeric keeps them).
 * BSON types with no JSON form in Go's model (Binary, regex, code, timestamp, min/max key …)
 * are reported rather than written as Go's struct dumps of them.
 */
function encodeAny(value: unknown, path: string): string {
  const kind = bsonKind(value);
  switch (kind) {
    case 'missing':
    case 'null':
      return 'null';
    case 'string':
      return JSON.stringify(checkText(value as string, path));
    case 'BSONSymbol':
      // Go decodes a symbol into interface{} as bson.Symbol, which marshals as a JSON string.
      return JSON.stringify(checkText(String(value), path));
    case 'boolean':
      return String(value);
    case 'number':
    case 'Int32':
    case 'Double':
      return goFloat(decodeFloat64(value, path));
    case 'Long':
      return decodeInt64(value, path).toString();
    case 'date':
      return JSON.stringify(goJsonTime(decodeTime(value, path), path));
    case 'ObjectId':
      return JSON.stringify((value as { toHexString(): string }).toHexString());
    case 'Decimal128':
      return JSON.stringify(String(value));
    case 'array':
      return `[${(value as unknown[]).map((item, i) => encodeAny(item, index(path, i))).join(',')}]`;
    case 'document': {
      const doc = value as Record<string, unknown>;
      const entries = Object.keys(doc).map((key) => {
        const at = child(path, key);
        return `${JSON.stringify(checkText(key, at))}:${encodeAny(doc[key], at)}`;
      });
      return `{${entries.join(',')}}`;
    }
    default:
      return fail(path, 'unsupported-bson-type', `BSON ${kind} has no faithful JSON form in Testkube's model`);
  }
}

/**
 * TemplatableBoxedInteger (runAsUser, runAsGroup, fsGroup): the driver's UnmarshalBSONValue
 * accepts `{value: x}` or a bare x, where x is a string or a whole number; MarshalJSON writes
 * `{"value": <number>}` when the string parses as a base-10 int64, else `{"value": "<string>"}`
 * (fact sheet §0). Anything the Go code refuses is reported.
 */
function encodeBoxedInt(value: unknown, path: string): string {
  const text = boxedIntText(value, path);
  if (/^[+-]?[0-9]+$/.test(text)) {
    const n = BigInt(text);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return `{"value":${n.toString()}}`;
  }
  return `{"value":${JSON.stringify(text)}}`;
}

function boxedIntText(value: unknown, path: string): string {
  if (isNullish(value)) return '';
  if (isDocument(value)) {
    let inner: unknown;
    for (const key of Object.keys(value)) if (goLower(key) === 'value') inner = value[key];
    if (isNullish(inner)) fail(child(path, 'value'), 'boxed-integer', 'a boxed integer document needs a value');
    return boxedIntScalar(inner, child(path, 'value'));
  }
  return boxedIntScalar(value, path);
}

function boxedIntScalar(value: unknown, path: string): string {
  if (typeof value === 'string') return checkText(value, path);
  const kind = bsonKind(value);
  if (kind === 'number' || kind === 'Int32' || kind === 'Double' || kind === 'Long') return decodeInt64(value, path).toString();
  return fail(path, 'boxed-integer', `a boxed integer cannot be BSON ${kind}`);
}
