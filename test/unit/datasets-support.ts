/** Shared by the unit tests of the global record-level data sets (test/unit/datasets-*.test.ts). */
import type { Document } from 'mongodb';
import { TransformError } from '../../app/errors.js';
import type { DataSet, PgValue } from '../../app/datasets/types.js';

/** A predicate for assert.throws: a TransformError naming exactly this field. */
export function transformErrorOn(field: string, message?: RegExp): (err: unknown) => boolean {
  return (err) => {
    if (!(err instanceof TransformError)) throw new Error(`expected a TransformError, got ${String(err)}`);
    if (err.field !== field) throw new Error(`expected field ${field}, got ${err.field}: ${err.message}`);
    if (message && !message.test(err.message)) throw new Error(`message ${JSON.stringify(err.message)} does not match ${message}`);
    return true;
  };
}

/** The single row a one-table data set writes for a document. */
export function onlyRow(ds: DataSet, doc: Document): PgValue[] {
  const out = ds.transform(doc, {});
  if (out.length !== 1 || out[0]?.rows.length !== 1) throw new Error(`expected one row, got ${JSON.stringify(out)}`);
  return out[0].rows[0] as PgValue[];
}

/** The references a record makes, as `kind:id` strings (absent ones left out). */
export function refsOf(ds: DataSet, doc: Document): string[] {
  return (ds.references?.(doc, {}) ?? []).filter((r) => r.id !== null && r.id !== undefined).map((r) => `${r.kind}:${r.id}`);
}

export const T1 = new Date('2024-03-01T10:00:00.000Z');
export const T2 = new Date('2024-04-02T11:30:00.000Z');
export const T1_ISO = '2024-03-01T10:00:00.000Z';
export const T2_ISO = '2024-04-02T11:30:00.000Z';
export const ORG = 'tkcorg_00000000000000a1';
export const ENV = 'tkcenv_00000000000000b2';
export const USER = '65f1a2b3c4d5e6f708192a3b';
