/**
 * Go JSON for the Testkube environment resources (test workflows, templates, triggers, webhooks,
 * webhook templates): what Testkube's own API writes for a value, as app/transform/testkube/
 * go-json.ts does for executions. Types of go-model.ts are encoded by go-json.ts itself; the
 * structs only resources use (resource-go-model.ts) are walked here by the same rules: fields
 * found by lowercase BSON key, written under their json tag in declaration order, omitempty
 * honoured, nil pointers/maps/slices as null.
 *
 * Go skips keys no struct field takes; here they are reported to `onDropped` so the caller can
 * keep them (the data sets put them into `extra`): nothing is dropped silently.
 */
import { encodeGo, type Encoded, type WalkOptions } from './testkube/go-json.js';
import { GO_STRUCTS } from './testkube/go-model.js';
import { buildStructs, parseGoType, type GoStruct, type GoType, type StructTable } from './testkube/go-types.js';
import { child, fail, index } from './testkube/problems.js';
import { bsonKind, isDocument, isNullish } from './testkube/scalars.js';
import { checkText } from './testkube/text.js';
import { RESOURCE_GO_STRUCTS } from './resource-go-model.js';

let structs: ReadonlyMap<string, GoStruct> | undefined;
const typeCache = new Map<string, GoType>();

function table(): StructTable {
  for (const name of Object.keys(RESOURCE_GO_STRUCTS)) {
    if (Object.hasOwn(GO_STRUCTS, name)) throw new Error(`resource-go-model: ${name} is already in go-model.ts`);
  }
  return { ...GO_STRUCTS, ...RESOURCE_GO_STRUCTS };
}

function localStruct(name: string): GoStruct | undefined {
  if (!Object.hasOwn(RESOURCE_GO_STRUCTS, name)) return undefined;
  structs ??= buildStructs(table());
  return structs.get(name);
}

/** A Go type in go-model.ts syntax, resolved against both struct tables. */
export function resourceGoType(text: string): GoType {
  let type = typeCache.get(text);
  if (!type) {
    type = parseGoType(text, table());
    typeCache.set(text, type);
  }
  return type;
}

/** Whether the type reaches a struct of RESOURCE_GO_STRUCTS (go-json.ts cannot encode those). */
function isLocal(type: GoType): boolean {
  if (type.kind === 'ptr' || type.kind === 'slice' || type.kind === 'map') return isLocal(type.elem);
  return type.kind === 'struct' && localStruct(type.name) !== undefined;
}

/** Go's strings.ToLower as go-json.ts applies it for field matching. */
function goLower(key: string): string {
  return key.replace(/\u0130/g, 'i').toLowerCase();
}

/** BSON key → raw value for the fields of a resource struct, as go-json.ts readStruct does. */
export function readResourceStruct(name: string, value: unknown, path: string, options: WalkOptions): Map<string, unknown> {
  const struct = localStruct(name);
  if (!struct) throw new Error(`resource-go-model: no struct ${name}`);
  const out = new Map<string, unknown>();
  if (isNullish(value)) return out;
  if (!isDocument(value)) fail(path, 'type-mismatch', `expected a document (${name}), found BSON ${bsonKind(value)}`);
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

/** What json.Marshal writes for `type` holding the Go value decoded from `value`. */
export function encodeResource(type: GoType, value: unknown, path: string, options: WalkOptions): Encoded {
  if (!isLocal(type)) return encodeGo(type, value, path, options);
  switch (type.kind) {
    case 'ptr':
      if (isNullish(value)) return { json: 'null', empty: true };
      return { json: encodeResource(type.elem, value, path, options).json, empty: false };
    case 'slice': {
      if (isNullish(value)) return { json: 'null', empty: true };
      if (!Array.isArray(value)) fail(path, 'type-mismatch', `expected an array, found BSON ${bsonKind(value)}`);
      const items = value.map((item, i) => encodeResource(type.elem, item, index(path, i), options).json);
      return { json: `[${items.join(',')}]`, empty: items.length === 0 };
    }
    case 'map': {
      if (isNullish(value)) return { json: 'null', empty: true };
      if (!isDocument(value)) fail(path, 'type-mismatch', `expected a document, found BSON ${bsonKind(value)}`);
      const entries = Object.keys(value).map((key) => {
        const at = child(path, key);
        return `${JSON.stringify(checkText(key, at))}:${encodeResource(type.elem, value[key], at, options).json}`;
      });
      return { json: `{${entries.join(',')}}`, empty: entries.length === 0 };
    }
    case 'struct':
      return { json: encodeStruct(type.name, value, path, options), empty: false };
    default:
      return encodeGo(type, value, path, options);
  }
}

function encodeStruct(name: string, value: unknown, path: string, options: WalkOptions): string {
  const fields = readResourceStruct(name, value, path, options);
  const parts: string[] = [];
  for (const field of localStruct(name)?.fields ?? []) {
    const encoded = encodeResource(field.type, fields.get(field.bsonKey), child(path, field.bsonKey), options);
    if (field.omitEmpty && encoded.empty) continue;
    parts.push(`${JSON.stringify(field.jsonKey)}:${encoded.json}`);
  }
  return `{${parts.join(',')}}`;
}
