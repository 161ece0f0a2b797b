/**
 * Mappers shared by the per-organisation (ai_*) and per-organisation/environment data sets, on
 * top of app/transform/values.ts and record-values.ts: the scope a collection belongs to and the
 * references it implies, doubles that must survive exactly, and `extra` with unmapped nested keys
 * under their parent. Each mapper returns a faithful value or throws TransformError naming the
 * field.
 */
import type { Document } from 'mongodb';
import { TransformError } from '../errors.js';
import type { TransformContext } from '../datasets/types.js';
import { environmentKey, type Reference } from '../engine/integrity.js';
import { isDocument, refId } from './record-values.js';
import { bsonTypeName, isMissing, toJsonText, toNumericText, valueError } from './values.js';

/** The organisation of a per-organisation collection (from its name, via the engine). */
export function organizationOf(ctx: TransformContext): string {
  if (ctx.organizationId === undefined) throw new TransformError('is read per organisation, but this collection has no organisation', { field: '(collection)' });
  return ctx.organizationId;
}

/** The organisation and environment of a per-organisation/environment collection. */
export function environmentOf(ctx: TransformContext): { organizationId: string; environmentId: string } {
  if (ctx.environmentId === undefined) throw new TransformError('is read per environment, but this collection has no environment', { field: '(collection)' });
  return { organizationId: organizationOf(ctx), environmentId: ctx.environmentId };
}





/** A decimal as sign, significant digits and exponent, so "0.20" and "2e-1" compare equal. */
function canonicalDecimal(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const digits = `${m[2] ?? ''}${m[3] ?? ''}`;
  const exponent = Number(m[4] ?? '0') - (m[3] ?? '').length;
  const significant = digits.replace(/^0+/, '');
  if (significant === '') return '0';
  const trimmed = significant.replace(/0+$/, '');
  return `${m[1] === '-' ? '-' : ''}${trimmed}e${exponent + significant.length - trimmed.length}`;
}

/**
 * A `double precision` column. A number is taken as is; a numeric string (messy data) only when
 * a double holds exactly the decimal it spells (in its shortest form), so "0.2" passes and a
 * 20-digit string fails instead of being rounded.
 */
export function doubleValue(value: unknown, field: string): number | string | null {
  const text = toNumericText(value, field);
  if (text === null) return null;
  const n = Number(text);
  if (!Number.isFinite(n)) throw valueError('not-finite', `${text} is outside the range of a double`, field);
  if (canonicalDecimal(text) !== canonicalDecimal(String(n))) throw valueError('inexact-double', `${text} has more digits than a double precision column holds`, field);
  // float8 keeps -0, but String(-0) (COPY text, the pg driver's parameters) would write 0.
  return Object.is(n, -0) ? '-0' : n;
}

/** A plain embedded document, or undefined for missing/null; any other type is an error. */
export function documentOrNothing(value: unknown, field: string): Document | undefined {
  if (isMissing(value)) return undefined;
  if (isDocument(value)) return value;
  throw valueError('type-mismatch', `expected a document, got ${bsonTypeName(value)}`, field);
}

/**
 * `extra`: every top-level field not in `mapped`, plus, under a mapped field's own name, the parts
 * of it that have no column (`nested`: relative path → value, e.g. usage → {"cachedTokens": 5}).
 * Relaxed Extended JSON, so each value can be turned back into its BSON. NULL when empty.
 */
export function extraJson(doc: Document, mapped: ReadonlySet<string>, nested: ReadonlyMap<string, ReadonlyMap<string, unknown>> = new Map()): string | null {
  const parts: string[] = [];
  for (const key of Object.keys(doc)) {
    const quoted = toJsonText(key, 'extra key');
    if (!mapped.has(key)) {
      parts.push(`${quoted}:${toJsonText(doc[key], `extra.${key}`)}`);
      continue;
    }
    const inner = nested.get(key);
    if (!inner || inner.size === 0) continue;
    const entries = [...inner].map(([path, value]) => `${toJsonText(path, `extra.${key} key`)}:${toJsonText(value, `extra.${key}.${path}`)}`);
    parts.push(`${quoted}:{${entries.join(',')}}`);
  }
  return parts.length === 0 ? null : `{${parts.join(',')}}`;
}

/**
 * Key of a record of a per-organisation collection among the keys data sets provide
 * (ai_mcp_server, ai_session): the organisation and the id, as environmentKey does, so a child
 * only resolves to a parent of its own organisation.
 */
export function scopedKey(organizationId: string, id: string): string {
  return `${organizationId}/${id}`;
}


/** The collection's organisation must have been migrated (it may have failed its own transform). */
export function organizationRef(ctx: TransformContext): Reference {
  return { kind: 'organization', id: ctx.organizationId, field: '(collection organisation)' };
}

/** The collection's environment must have been migrated. */
export function environmentRef(ctx: TransformContext): Reference {
  const id = ctx.organizationId !== undefined && ctx.environmentId !== undefined ? environmentKey(ctx.organizationId, ctx.environmentId) : null;
  return { kind: 'environment', id, field: '(collection environment)' };
}

/** An optional `environmentId` field of a per-organisation record: a hard reference when present. */
export function optionalEnvironmentRef(ctx: TransformContext, value: unknown, field = 'environmentId'): Reference {
  const id = refId(value);
  return { kind: 'environment', id: id !== null && ctx.organizationId !== undefined ? environmentKey(ctx.organizationId, id) : null, field };
}
