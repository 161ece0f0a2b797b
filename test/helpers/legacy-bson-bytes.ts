/**
 * BSON bytes for documents holding the two deprecated types the JavaScript bson library cannot
 * write: DBPointer (0x0C) and undefined (0x06). The document is given with app/source's DBPointer
 * and BSON_UNDEFINED at any depth; they are serialized as placeholders of the same size (a Binary
 * of subtype 0x80, a null) and then rewritten in place, found by their element path.
 */
import { BSON, Binary, type Document } from 'mongodb';
import { BSON_UNDEFINED, DBPointer } from '../../app/source/legacy-bson.js';

type Patch = { kind: 'pointer'; value: DBPointer } | { kind: 'undefined' };

function isPlain(value: unknown): value is Document {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The value with legacy markers replaced by placeholders; `patches` gets each one's path. */
function placeholders(value: unknown, path: string[], patches: Map<string, Patch>): unknown {
  if (value instanceof DBPointer) {
    patches.set(JSON.stringify(path), { kind: 'pointer', value });
    // Same payload size as the pointer: int32 + namespace + NUL + 12 bytes = int32 + subtype + data.
    return new Binary(new Uint8Array(Buffer.byteLength(value.namespace) + 12), 0x80);
  }
  if (value === BSON_UNDEFINED) {
    patches.set(JSON.stringify(path), { kind: 'undefined' });
    return null;
  }
  if (Array.isArray(value)) return value.map((v, i) => placeholders(v, [...path, String(i)], patches));
  if (isPlain(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, placeholders(v, [...path, k], patches)]));
  return value;
}

const int32 = (b: Uint8Array, i: number): number => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readInt32LE(i);

function rewrite(b: Uint8Array, start: number, path: string[], patches: Map<string, Patch>): void {
  const view = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const end = start + int32(b, start) - 1;
  let i = start + 4;
  while (i < end) {
    const typeAt = i;
    const type = b[i++] as number;
    const keyEnd = b.indexOf(0, i);
    const key = view.toString('utf8', i, keyEnd);
    i = keyEnd + 1;
    const here = [...path, key];
    const patch = patches.get(JSON.stringify(here));
    if (patch?.kind === 'undefined') {
      b[typeAt] = 0x06;
      continue;
    }
    if (patch?.kind === 'pointer') {
      const ns = Buffer.from(patch.value.namespace, 'utf8');
      b[typeAt] = 0x0c;
      view.writeInt32LE(ns.length + 1, i);
      ns.copy(view, i + 4);
      b[i + 4 + ns.length] = 0;
      Buffer.from(patch.value.oid.id).copy(view, i + 5 + ns.length);
      i += 5 + ns.length + 12;
      continue;
    }
    switch (type) {
      case 0x03: case 0x04: rewrite(b, i, here, patches); i += int32(b, i); break;
      case 0x0f: i += int32(b, i); break;
      case 0x01: case 0x09: case 0x11: case 0x12: i += 8; break;
      case 0x02: case 0x0d: case 0x0e: i += 4 + int32(b, i); break;
      case 0x05: i += 5 + int32(b, i); break;
      case 0x07: i += 12; break;
      case 0x08: i += 1; break;
      case 0x0b: i = b.indexOf(0, b.indexOf(0, i) + 1) + 1; break;
      case 0x10: i += 4; break;
      case 0x13: i += 16; break;
      default: break; // 0x06, 0x0a, 0x7f, 0xff: no payload
    }
  }
}

/** BSON bytes of `doc`, DBPointer and BSON_UNDEFINED markers written as their own BSON types. */
export function serializeWithLegacy(doc: Document): Uint8Array {
  const patches = new Map<string, Patch>();
  const bytes = BSON.serialize(placeholders(doc, [], patches) as Document);
  if (patches.size > 0) rewrite(bytes, 0, [], patches);
  return bytes;
}
