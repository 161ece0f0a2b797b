/**
 * An independent check of free-form values (issue 15): re-running the transform cannot see a bug
 * in the mapping it shares with the migration, so for a sample of migrated records the main
 * table's `extra` jsonb, as PostgreSQL returns it, is compared with the source document encoded by
 * the bson library's own Extended JSON (canonical), not by app/transform/values.ts.
 *
 * Both sides are reduced to the value table's reading (docs/data-model.md §2a) before comparing:
 * a JSON number with a point or exponent is a Double, one without an integer; Int32 and Int64 are
 * both "an integer of this value" (the table's one documented change for them in jsonb); a date
 * is its milliseconds whichever form it was written in; object key order is ignored (jsonb keeps
 * its own). Everything else must be equal, type and value.
 */
import { escapeIdentifier } from 'pg';
import type { DataSet, PgValue, TableRows } from '../datasets/types.js';
import { BSON, DBRef, type Document } from '../source/bson.js';
import { BSON_UNDEFINED, DBPointer } from '../source/legacy-bson.js';
import { shapeOf, type VerifyContext } from './context.js';
import type { Problem } from './types.js';

/** A value reduced for comparison: tagged scalars, arrays, and objects with sorted keys. */
type Norm = null | boolean | string | { int: string } | { double: string } | { date: string } | Norm[] | { obj: Array<[string, Norm]> };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function doubleText(s: string): string {
  if (s === '-0.0' || s === '-0') return '-0';
  const n = Number(s);
  return Object.is(n, -0) ? '-0' : String(n);
}

/** Reduces canonical Extended JSON (or parsed jsonb text, numbers already tagged) to Norm. */
function reduce(v: unknown): Norm {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  // Plain numbers inside Extended JSON wrappers: {"$minKey": 1}, {"$timestamp": {"t": 7, "i": 1}}.
  if (typeof v === 'number' && Number.isSafeInteger(v)) return { int: String(v) };
  if (Array.isArray(v)) return v.map(reduce);
  if (isPlainObject(v)) {
    if ('int' in v && Object.keys(v).length === 1 && typeof v.int === 'string') return { int: v.int };
    if ('double' in v && Object.keys(v).length === 1 && typeof v.double === 'string') return { double: v.double };
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const inner = v[k];
      if ((k === '$numberInt' || k === '$numberLong') && typeof inner === 'string') return { int: BigInt(inner).toString() };
      if (k === '$numberDouble' && typeof inner === 'string') return { double: doubleText(inner) };
      if (k === '$date') {
        if (typeof inner === 'string') return { date: String(Date.parse(inner)) };
        const ms = reduce(inner);
        if (ms !== null && typeof ms === 'object' && 'int' in ms) return { date: ms.int };
      }
    }
    return { obj: keys.sort().map((k) => [k, reduce(v[k])]) };
  }
  throw new Error(`unexpected value in Extended JSON: ${String(v)}`);
}

/** Canonical Extended JSON of a source value, by the bson library; the two deprecated types it cannot hold, in their canonical form. */
function sourceEjson(value: unknown): unknown {
  if (value instanceof DBPointer) return { $dbPointer: { $ref: value.namespace, $id: { $oid: value.oid.toHexString() } } };
  if (value === BSON_UNDEFINED) return { $undefined: true };
  // A DBRef is a document by convention; the bson library's EJSON rebuilds it through DBRef's
  // constructor, which splits a dotted `$ref` into `$db` and `$ref`, so it is written here.
  if (value instanceof DBRef) return { $ref: value.collection, $id: sourceEjson(value.oid), ...(value.db === undefined ? {} : { $db: value.db }), ...Object.fromEntries(Object.entries(value.fields).map(([k, v]) => [k, sourceEjson(v)])) };
  if (Array.isArray(value)) return value.map(sourceEjson);
  if (isPlainObject(value) && !('_bsontype' in value) && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sourceEjson(v)]));
  return BSON.EJSON.serialize({ v: value }, { relaxed: false })['v'];
}

const TOKEN = /\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[{}[\]:,]|true|false|null)/y;

/** JSON text as PostgreSQL prints jsonb, keeping each number's written form (JSON.parse would not). */
export function parseJsonbText(text: string): unknown {
  let pos = 0;
  const next = (): string => {
    while (text[pos] === ' ' || text[pos] === '\n') pos++;
    if (text[pos] === '"') {
      // A string is scanned, not matched: a regex over a 16 MB string overflows the stack.
      let end = pos;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end < 0) throw new Error(`unterminated string in jsonb text at ${pos}`);
        let slashes = 0;
        while (text[end - 1 - slashes] === '\\') slashes++;
        if (slashes % 2 === 0) break;
      }
      const tok = text.slice(pos, end + 1);
      pos = end + 1;
      return tok;
    }
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`cannot read jsonb text at ${pos}`);
    pos = TOKEN.lastIndex;
    return m[1] as string;
  };
  const value = (tok: string): unknown => {
    if (tok === '{') {
      const out: Record<string, unknown> = {};
      let t = next();
      while (t !== '}') {
        if (t === ',') t = next();
        const key = JSON.parse(t) as string;
        next(); // ':'
        out[key] = value(next());
        t = next();
      }
      return out;
    }
    if (tok === '[') {
      const out: unknown[] = [];
      let t = next();
      while (t !== ']') {
        if (t === ',') t = next();
        out.push(value(t));
        t = next();
      }
      return out;
    }
    if (tok.startsWith('"')) return JSON.parse(tok) as string;
    if (tok === 'true' || tok === 'false' || tok === 'null') return JSON.parse(tok) as unknown;
    return /[.eE]/.test(tok) ? { double: doubleText(tok) } : { int: BigInt(tok).toString() };
  };
  return value(next());
}

function same(a: Norm, b: Norm): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Value of `doc` at a key or, failing that, a dotted path (nested `extra` keys are relative paths). */
function at(doc: Document, path: string): { found: boolean; value?: unknown } {
  if (Object.hasOwn(doc, path)) return { found: true, value: doc[path] };
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, part)) return { found: false };
    cur = cur[part];
  }
  return { found: true, value: cur };
}

/**
 * Differences between one stored `extra` and its source record: every key of `extra` must hold
 * exactly the source's value of that key, or (the unmapped parts of a split embedded document)
 * an object whose keys each hold the source's value at that path below it.
 */
export function extraDifferences(stored: unknown, record: Document): Array<{ key: string; stored: string; source: string }> {
  const out: Array<{ key: string; stored: string; source: string }> = [];
  if (!isPlainObject(stored)) return [{ key: '(extra)', stored: JSON.stringify(stored), source: 'an object of the unmapped fields' }];
  for (const [key, value] of Object.entries(stored)) {
    const got = reduce(value);
    if (Object.hasOwn(record, key)) {
      const want = reduce(sourceEjson(record[key]));
      if (same(got, want)) continue;
      const parent = record[key];
      if (isPlainObject(parent) && !('_bsontype' in parent) && isPlainObject(value) && Object.keys(value).length > 0) {
        for (const [path, part] of Object.entries(value)) {
          const src = at(parent as Document, path);
          const partWant = src.found ? reduce(sourceEjson(src.value)) : null;
          if (!src.found || !same(reduce(part), partWant as Norm)) out.push({ key: `${key}.${path}`, stored: JSON.stringify(reduce(part)), source: src.found ? JSON.stringify(partWant) : '(absent)' });
        }
        continue;
      }
      out.push({ key, stored: JSON.stringify(got), source: JSON.stringify(want) });
    } else out.push({ key, stored: JSON.stringify(got), source: '(absent)' });
  }
  return out;
}

export interface JsonSample {
  id: string;
  collection: string;
  record: Document;
  output: TableRows[];
}

/**
 * Compares the main table's `extra` of each sampled record with its source; returns the
 * differences as problems. Data sets whose main table has no `extra` are not checked here.
 */
export async function checkSourceJson(vctx: VerifyContext, dataSet: DataSet, samples: readonly JsonSample[]): Promise<Array<Omit<Problem, 'dataSet'>>> {
  const [spec] = dataSet.tables;
  const extraAt = spec ? spec.columns.indexOf('extra') : -1;
  if (!spec || extraAt < 0 || samples.length === 0) return [];
  const shape = await shapeOf(vctx, spec);
  const rows: Array<{ sample: JsonSample; row: PgValue[] }> = [];
  for (const sample of samples) for (const part of sample.output) if (part.table === spec.table) for (const row of part.rows) rows.push({ sample, row });
  if (rows.length === 0) return [];
  const keys = shape.keyIndexes;
  const params = keys.map((k) => rows.map(({ row }) => (row[k] === null || row[k] === undefined ? null : String(row[k]))));
  const alias = (j: number): string => `k${j}`;
  const sql = `SELECT u.ord::int AS ord, t.extra::text AS extra
      FROM unnest(${keys.map((_, j) => `$${j + 1}::text[]`).join(', ')}) WITH ORDINALITY AS u(${keys.map((_, j) => alias(j)).join(', ')}, ord)
      JOIN ${escapeIdentifier(spec.table)} t ON ${keys.map((k, j) => `t.${escapeIdentifier(spec.columns[k] as string)} = u.${alias(j)}::${shape.types[k]}`).join(' AND ')}`;
  const { rows: found } = await vctx.pool.query<{ ord: number; extra: string | null }>(sql, params);
  const problems: Array<Omit<Problem, 'dataSet'>> = [];
  for (const f of found) {
    const { sample } = rows[f.ord - 1] as { sample: JsonSample };
    const stored = f.extra === null ? {} : parseJsonbText(f.extra);
    const source = dataSet.extraSource ? dataSet.extraSource(sample.record) : sample.record;
    // A source that is not a document (a payment entry of another type) was reported, not migrated.
    if (!isPlainObject(source)) continue;
    for (const d of extraDifferences(stored, source)) {
      problems.push({
        kind: 'different', id: sample.id, collection: sample.collection, table: spec.table, column: 'extra', expected: d.source, actual: d.stored,
        message: `record ${sample.id}: ${spec.table}.extra → ${JSON.stringify(d.key)} holds ${d.stored.slice(0, 200)}, but the source document holds ${d.source.slice(0, 200)} (canonical Extended JSON of the source, independent of the mapping)`,
      });
    }
  }
  return problems;
}
