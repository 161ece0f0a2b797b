/**
 * Column rules shared by the control-plane bulk data sets (docs/data-model/bulk.md): tenant ids,
 * their engine-checked references, and jsonb that keeps an explicit null.
 */
import { ObjectId, type Document } from 'mongodb';
import { TransformError } from '../../errors.js';
import { environmentKey, type Reference } from '../../engine/integrity.js';
import { bsonTypeName, toJsonText, toText, toTimestamp } from '../../transform/values.js';

/** `_id` → `mongo_id`: every bulk document has an ObjectId `_id`. */
export function mongoId(value: unknown): string {
  if (!(value instanceof ObjectId)) throw new TransformError(`expected an ObjectId, got ${bsonTypeName(value)}`, { field: '_id' });
  return value.toHexString();
}

/**
 * An organisation/environment id: a string or nothing. Anything else fails the record instead of
 * being turned into text, because the reference check only sees string ids: a number or ObjectId
 * would otherwise reach the table unchecked.
 */
export function tenantId(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new TransformError(`expected a string id, got ${bsonTypeName(value)}`, { field });
  return toText(value, field, { maxLength: 64 });
}

export function requireTenantId(value: unknown, field: string): string {
  const id = tenantId(value, field);
  if (id === null) throw new TransformError('is required but missing or null', { field });
  return id;
}

/**
 * `organizationId` and, when given, `environmentId` (keyed with its organisation, so an
 * environment of another organisation does not resolve). The engine calls this only for
 * documents the transform accepted, so the ids are strings or absent.
 */
export function tenantReferences(doc: Document): Reference[] {
  const org: unknown = doc.organizationId;
  if (typeof org !== 'string') return [];
  const env: unknown = doc.environmentId;
  return typeof env === 'string'
    ? [{ kind: 'organization', id: org, field: 'organizationId' }, { kind: 'environment', id: environmentKey(org, env), field: 'environmentId' }]
    : [{ kind: 'organization', id: org, field: 'organizationId' }];
}

/**
 * A jsonb column: SQL NULL when the field is missing, JSON `null` when it is explicitly null
 * (docs/data-model.md §2), Relaxed Extended JSON otherwise.
 */
export function jsonbColumn(value: unknown, field: string): string | null {
  return value === undefined ? null : toJsonText(value, field);
}

/** A required timestamptz NOT NULL column. */
export function requireTimestamp(value: unknown, field: string): string {
  const text = toTimestamp(value, field);
  if (text === null) throw new TransformError('is required but missing or null', { field });
  return text;
}

/** A plain embedded document (not an array, date or other BSON value). */
export function isSubdocument(value: unknown): value is Document {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !('_bsontype' in value);
}

/** An embedded document split into columns: null when missing or null, else it must be a document. */
export function optionalSubdocument(value: unknown, field: string): Document | null {
  if (value === undefined || value === null) return null;
  if (!isSubdocument(value)) throw new TransformError(`expected a document, got ${bsonTypeName(value)}`, { field });
  return value;
}

/**
 * `extra` with the unmapped keys of a split embedded document added under its own key
 * (`{"actor": {…}, …}`, docs/data-model.md §2). `key` is a constant field name of the model.
 */
export function withNestedExtra(extra: string | null, key: string, nested: string | null): string | null {
  if (nested === null) return extra;
  return extra === null ? `{"${key}":${nested}}` : `{"${key}":${nested},${extra.slice(1)}`;
}
