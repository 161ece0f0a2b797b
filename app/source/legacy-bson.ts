/**
 * Two deprecated BSON types the bson library decodes into another type, so their type would be
 * lost before any mapping sees them (issue 15):
 * - DBPointer (0x0C) becomes a DBRef (its namespace even split at a single dot into `$db`/`$ref`);
 * - undefined (0x06) becomes JS `undefined`, which a mapper cannot tell from a missing field.
 * - a DBRef document's `$ref` holding one dot is split the same way, so `{"$ref": "a.b"}` would
 *   come back as `{"$ref": "b", "$db": "a"}`.
 * After decoding, a document whose bytes hold any of these gets them back as they are: a DBPointer
 * instance and the BSON_UNDEFINED marker at the same place, and a DBRef's `$ref`/`$db` as written
 * (docs/data-model.md §2a). Documents without them (nearly all) cost one scan of their headers.
 */
import { Code, DBRef, ObjectId, type Document } from './bson.js';

/** A BSON DBPointer: a namespace string and an ObjectId. Canonical Extended JSON: `{"$dbPointer": {"$ref", "$id"}}`. */
export class DBPointer {
  get _bsontype(): 'DBPointer' {
    return 'DBPointer';
  }
  constructor(readonly namespace: string, readonly oid: ObjectId) {}
}

/** The BSON undefined value (0x06), present in the document, as opposed to a missing field. */
export const BSON_UNDEFINED: { readonly _bsontype: 'Undefined' } = Object.freeze({ _bsontype: 'Undefined' as const });

const DBPOINTER = 0x0c;
const UNDEFINED = 0x06;
const DOLLAR = 0x24;

const int32 = (b: Uint8Array, i: number): number => ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;

/** Bytes of an element's value after its key, by type; -1 for the types that open a document. */
function valueSize(type: number, b: Uint8Array, i: number): number {
  switch (type) {
    case 0x01: case 0x09: case 0x11: case 0x12: return 8;
    case 0x02: case 0x0d: case 0x0e: return 4 + int32(b, i);
    case 0x03: case 0x04: return -1;
    case 0x05: return 5 + int32(b, i);
    case 0x06: case 0x0a: case 0x7f: case 0xff: return 0;
    case 0x07: return 12;
    case 0x08: return 1;
    case 0x0b: {
      let j = b.indexOf(0, i) + 1;
      j = b.indexOf(0, j) + 1;
      return j - i;
    }
    case 0x0c: return 4 + int32(b, i) + 12;
    case 0x0f: return -1;
    case 0x10: return 4;
    case 0x13: return 16;
    default: return Number.NaN;
  }
}

/**
 * Whether the document at `offset` (already decoded, so well formed) holds a DBPointer or an
 * undefined anywhere. One pass over the element headers, without decoding any value: nested
 * documents are entered by skipping their length, and every 0 type byte closes one.
 */
export function hasLegacyElement(b: Uint8Array, offset = 0): boolean {
  const end = offset + int32(b, offset);
  let i = offset + 4;
  while (i < end) {
    const type = b[i++] as number;
    if (type === 0) continue;
    if (type === DBPOINTER || type === UNDEFINED || b[i] === DOLLAR) return true;
    // Keys are short: a plain loop beats indexOf's call overhead here.
    while (b[i] !== 0) i++;
    i++;
    if (type === 0x0f) {
      // Code with scope: int32 total, the code string, then the scope document, entered.
      i += 4;
      i += 4 + int32(b, i) + 4;
      continue;
    }
    const size = valueSize(type, b, i);
    if (Number.isNaN(size)) return false;
    i += size < 0 ? 4 : size;
  }
  return false;
}

type Container = Document | unknown[] | DBRef | Code;

function getChild(c: Container, key: string): unknown {
  if (c instanceof DBRef) return key === '$id' ? c.oid : c.fields[key];
  if (c instanceof Code) return c.scope;
  return Array.isArray(c) ? c[Number(key)] : (c as Document)[key];
}

function setChild(c: Container, key: string, value: unknown): void {
  if (c instanceof DBRef) {
    if (key === '$id') c.oid = value as ObjectId;
    else c.fields[key] = value;
  } else if (Array.isArray(c)) c[Number(key)] = value;
  else (c as Document)[key] = value;
}

const utf8 = new TextDecoder('utf-8');

/** Puts DBPointer and BSON_UNDEFINED back where the bytes of the document at `start` hold them. */
function restore(b: Uint8Array, start: number, target: Container): void {
  const end = start + int32(b, start) - 1;
  let i = start + 4;
  let db: string | undefined;
  while (i < end) {
    const type = b[i++] as number;
    const keyEnd = b.indexOf(0, i);
    const key = utf8.decode(b.subarray(i, keyEnd));
    i = keyEnd + 1;
    if (target instanceof DBRef && type === 0x02 && (key === '$ref' || key === '$db')) {
      const text = utf8.decode(b.subarray(i + 4, i + 4 + int32(b, i) - 1));
      if (key === '$ref') target.collection = text;
      else db = text;
    } else if (type === UNDEFINED) setChild(target, key, BSON_UNDEFINED);
    else if (type === DBPOINTER) {
      const length = int32(b, i);
      const namespace = utf8.decode(b.subarray(i + 4, i + 4 + length - 1));
      setChild(target, key, new DBPointer(namespace, new ObjectId(b.slice(i + 4 + length, i + 4 + length + 12))));
    } else if (type === 0x03 || type === 0x04) {
      const child = getChild(target, key);
      if (child !== null && typeof child === 'object') restore(b, i, child as Container);
      i += int32(b, i);
      continue;
    } else if (type === 0x0f) {
      const code = getChild(target, key) as Code;
      const scopeAt = i + 4 + 4 + int32(b, i + 4);
      if (code.scope) restore(b, scopeAt, code.scope as Document);
      i += int32(b, i);
      continue;
    }
    i += valueSize(type, b, i);
  }
  if (target instanceof DBRef) target.db = db;
}

/** The decoded document with DBPointers and BSON undefined restored, when its bytes hold any. */
export function restoreLegacyElements(doc: Document, bytes: Uint8Array, offset = 0): Document {
  if (hasLegacyElement(bytes, offset)) restore(bytes, offset, doc);
  return doc;
}
