/**
 * Go JSON for the Testkube environment resources (test workflows, templates, triggers, webhooks,
 * webhook templates): what Testkube's own API writes for a value, as app/transform/testkube/
 * go-json.ts does for executions, by the same rules (its goCodec) over a larger struct table:
 * go-model.ts plus the structs only resources use (resource-go-model.ts).
 *
 * Go skips keys no struct field takes; here they are reported to `onDropped` so the caller can
 * keep them (the data sets put them into `extra`): nothing is dropped silently.
 */
import { goCodec } from './testkube/go-json.js';
import { GO_STRUCTS } from './testkube/go-model.js';
import type { StructTable } from './testkube/go-types.js';
import { RESOURCE_GO_STRUCTS } from './resource-go-model.js';

function table(): StructTable {
  for (const name of Object.keys(RESOURCE_GO_STRUCTS)) {
    if (Object.hasOwn(GO_STRUCTS, name)) throw new Error(`resource-go-model: ${name} is already in go-model.ts`);
  }
  return { ...GO_STRUCTS, ...RESOURCE_GO_STRUCTS };
}

const resources = goCodec(table());
/** A Go type in go-model.ts syntax, resolved against both struct tables. */
export const resourceGoType = resources.type;
/** BSON key → raw value for the fields of a struct, as go-json.ts readStruct does. */
export const readResourceStruct = resources.readStruct;
/** What json.Marshal writes for `type` holding the Go value decoded from `value`. */
export const encodeResource = resources.encode;
