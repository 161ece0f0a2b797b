/**
 * Reading one Testkube resource document (test workflow, template, trigger, webhook, webhook
 * template) into columns. Testkube's Go code wrote it, so values must have the BSON type its Go
 * struct field decodes (a string where Go wants a string …); free-form parts become Go JSON
 * (resource-go-json.ts). Keys Go would skip inside those parts are collected and end up in
 * `extra` under their top-level field, with their path relative to it.
 */
import type { Document } from 'mongodb';
import type { TransformOutput } from '../datasets/types.js';
import { encodeResource, resourceGoType } from './resource-go-json.js';
import { toTextArray } from './record-values.js';
import { extraJson } from './scoped-values.js';
import type { WalkOptions } from './testkube/go-json.js';
import { FieldProblem, toTransformError } from './testkube/problems.js';
import { GO_ZERO_TIME_MS, pgTimestamp } from './testkube/time.js';
import { bsonTypeName, checkText, isMissing, valueError } from './values.js';

const SEGMENT = /^(?:\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;

/** The path syntax of testkube/problems.ts (`a.b`, `a["x.y"]`, `a[0]`) split into its segments. */
export function pathSegments(path: string): Array<{ text: string; key: string | number }> {
  const out: Array<{ text: string; key: string | number }> = [];
  let rest = path;
  while (rest !== '') {
    const m = SEGMENT.exec(rest);
    if (!m) throw new Error(`unparsable field path ${JSON.stringify(path)}`);
    const key = m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3] as string) as string));
    out.push({ text: m[0], key });
    rest = rest.slice(m[0].length);
  }
  return out;
}

export class GoResource {
  /** Top-level field → (path relative to it → value) of keys no Go field takes. */
  private readonly dropped = new Map<string, Map<string, unknown>>();
  readonly options: WalkOptions = { onDropped: (path) => this.drop(path) };

  constructor(readonly doc: Document) {}

  private drop(path: string): void {
    const segments = pathSegments(path);
    const [top, ...rest] = segments;
    if (top === undefined || typeof top.key !== 'string' || rest.length === 0) throw new Error(`dropped path ${path} is not below a top-level field`);
    let value: unknown = this.doc;
    for (const s of segments) value = (value as Record<string | number, unknown>)[s.key];
    const relative = path.slice(top.text.length).replace(/^\./, '');
    const inner = this.dropped.get(top.key) ?? new Map<string, unknown>();
    inner.set(relative, value);
    this.dropped.set(top.key, inner);
  }

  /** A jsonb column holding field `key` as Go JSON of `type`: SQL NULL when missing, `null` when null. */
  json(key: string, type: string): string | null {
    const value = this.doc[key];
    if (value === undefined) return null;
    return encodeResource(resourceGoType(type), value, key, this.options).json;
  }

  /** Go JSON of a struct assembled from several top-level fields (missing ones stay missing). */
  composed(keys: readonly string[], struct: string): string {
    const part: Document = {};
    for (const key of keys) if (this.doc[key] !== undefined) part[key] = this.doc[key];
    return encodeResource(resourceGoType(struct), part, '', this.options).json;
  }

  /** A Go string field: NULL when missing or null; any other type is an error. */
  text(key: string, options: { maxLength?: number; emptyAsNull?: boolean } = {}): string | null {
    const value = this.doc[key];
    if (isMissing(value)) return null;
    if (typeof value !== 'string') throw valueError('type-mismatch', `expected a string, got ${bsonTypeName(value)}`, key);
    checkText(value, key);
    if (options.emptyAsNull === true && value === '') return null;
    if (options.maxLength !== undefined && value.length > options.maxLength) {
      const chars = [...value].length;
      if (chars > options.maxLength) throw valueError('too-long', `is ${chars} characters long, longer than the column's ${options.maxLength}`, key);
    }
    return value;
  }

  requireText(key: string, options: { maxLength?: number } = {}): string {
    const text = this.text(key, options);
    if (text === null) throw valueError('missing', 'is required but missing or null', key);
    return text;
  }

  /** A Go bool field: NULL when missing or null (legacy documents lack some). */
  bool(key: string): boolean | null {
    const value = this.doc[key];
    if (isMissing(value)) return null;
    if (typeof value !== 'boolean') throw valueError('type-mismatch', `expected a boolean, got ${bsonTypeName(value)}`, key);
    return value;
  }

  /** A Go time.Time field: a BSON date; the Go zero time, null and missing are NULL (Testkube's toPgTimestamp). */
  time(key: string): string | null {
    const value = this.doc[key];
    if (isMissing(value)) return null;
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw valueError('type-mismatch', `expected a date, got ${bsonTypeName(value)}`, key);
    const ms = value.getTime();
    return ms === GO_ZERO_TIME_MS ? null : pgTimestamp(ms, key);
  }

  /** A Go []string field as a text[] literal. */
  strings(key: string): string | null {
    return toTextArray(this.doc[key], key);
  }

  /** Unmapped top-level fields, and keys Go skipped inside mapped ones. Call after every column. */
  extra(mapped: ReadonlySet<string>): string | null {
    return extraJson(this.doc, mapped, this.dropped);
  }
}

/** Runs a resource transform; a FieldProblem of the Go walk becomes a TransformError with its path. */
export function transformResource(dataSet: string, doc: Document, map: (r: GoResource) => TransformOutput): TransformOutput {
  try {
    return map(new GoResource(doc));
  } catch (err) {
    if (err instanceof FieldProblem) throw toTransformError(err, dataSet, String(doc._id));
    throw err;
  }
}
