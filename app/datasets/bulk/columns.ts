/**
 * Rules the control-plane bulk data sets share beyond app/transform/values.ts and
 * record-values.ts (docs/data-model/bulk.md): their engine-checked tenant references, required
 * timestamps, and `extra` with the leftovers of a split embedded document.
 */
import type { Document } from 'mongodb';
import { environmentKey, type Reference } from '../../engine/integrity.js';
import { toTimestamp, valueError } from '../../transform/values.js';

/**
 * `organizationId` and, when given, `environmentId` (keyed with its organisation, so an
 * environment of another organisation does not resolve). The engine calls this only for
 * documents the transform accepted, whose tenant ids are strings or absent.
 */
export function tenantReferences(doc: Document): Reference[] {
  const org: unknown = doc.organizationId;
  if (typeof org !== 'string') return [];
  const env: unknown = doc.environmentId;
  return typeof env === 'string'
    ? [{ kind: 'organization', id: org, field: 'organizationId' }, { kind: 'environment', id: environmentKey(org, env), field: 'environmentId' }]
    : [{ kind: 'organization', id: org, field: 'organizationId' }];
}

/** A timestamptz NOT NULL column. */
export function requireTimestamp(value: unknown, field: string): string {
  const text = toTimestamp(value, field);
  if (text === null) throw valueError('missing', 'is required but missing or null', field);
  return text;
}

/**
 * `extra` with the unmapped keys of a split embedded document added under its own key
 * (`{"actor": {…}, …}`, docs/data-model.md §2). `key` is a constant field name of the model; built
 * as text because audit events are a large collection.
 */
export function withNestedExtra(extra: string | null, key: string, nested: string | null): string | null {
  if (nested === null) return extra;
  return extra === null ? `{"${key}":${nested}}` : `{"${key}":${nested},${extra.slice(1)}`;
}
