// Shared by the unit tests of the per-organisation and per-organisation/environment data sets
// (test/unit/datasets-<name>.test.ts): scope constants, error assertions, and a sweep over the
// fixture generator's documents of one data set.
import assert from 'node:assert/strict';
import { ObjectId, type Document } from 'mongodb';
import type { DataSet, PgValue, TransformContext } from '../../app/datasets/types.js';
import { TransformError } from '../../app/errors.js';
import { checkReferences, KnownIds } from '../../app/engine/integrity.js';
import type { DataSetName } from '../fixtures/collections.js';
import { plannedDocuments } from '../fixtures/in-memory.js';
import type { MessKind } from '../fixtures/messy.js';

export const ORG = 'tkcorg_00000000000000a1';
export const OTHER_ORG = 'tkcorg_00000000000000a2';
export const ENV = 'tkcenv_00000000000000b2';
export const ORG_CTX: TransformContext = { organizationId: ORG };
export const ENV_CTX: TransformContext = { organizationId: ORG, environmentId: ENV };

export const oid = (n: number): ObjectId => new ObjectId(`65f0c0ffee${String(n).padStart(14, '0')}`);
export const hex = (n: number): string => oid(n).toHexString();
export const USER = '64b000000000000000000001';

/** The single row of a single-table data set. */
export function rowOf(ds: DataSet, doc: Document, ctx: TransformContext): PgValue[] {
  const out = ds.transform(doc, ctx);
  assert.equal(out.length, 1);
  assert.equal(out[0]?.table, ds.tables[0]?.table);
  assert.equal(out[0]?.rows.length, 1);
  return out[0]?.rows[0] ?? [];
}

/** The row as { column: value }, so a failing deepEqual names the column. */
export function namedRow(ds: DataSet, doc: Document, ctx: TransformContext): Record<string, PgValue> {
  const row = rowOf(ds, doc, ctx);
  const columns = ds.tables[0]?.columns ?? [];
  assert.equal(row.length, columns.length, 'one value per column');
  return Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null]));
}

/** The transform throws a TransformError naming `field`. */
export function rejectsField(ds: DataSet, doc: Document, ctx: TransformContext, field: string): TransformError {
  let caught: unknown;
  try {
    ds.transform(doc, ctx);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof TransformError, `expected a TransformError, got ${String(caught)}`);
  assert.equal(caught.field, field);
  assert.equal(caught.code, 'TRANSFORM');
  return caught;
}

/** The first dangling reference against the given known keys (null when all resolve). */
export function danglingField(ds: DataSet, doc: Document, ctx: TransformContext, known: Record<string, string[]>): string | null {
  const ids = new KnownIds();
  for (const [kind, keys] of Object.entries(known)) {
    ids.track(kind);
    for (const key of keys) ids.add(kind, key);
  }
  const err = checkReferences(ds.references?.(doc, ctx) ?? [], ids);
  return err === null ? null : String(err.context.field);
}

export interface FixtureSweep {
  documents: number;
  messy: Set<MessKind>;
}

/**
 * Every document the fixture generator writes for the data set (several seeds, all messy at
 * rate 1 and clean at 0, with orphans), transformed in its collection's scope: none may fail.
 * Returns the messy kinds seen, so a test can check its literal cases cover them.
 */
export function sweepFixtures(ds: DataSet, name: DataSetName): FixtureSweep {
  const messy = new Set<MessKind>();
  let documents = 0;
  for (const messiness of [0, 0.5, 1]) {
    for (const seed of [1, 2, 3]) {
      for (const p of plannedDocuments({ seed, messiness, orphans: true, executionsPerEnv: 0, usageRecords: 0, auditEvents: 0, applicationAuditEvents: 0, events: 0, reportingData: 0 })) {
        if (p.dataSet !== name) continue;
        const scope = p.collection.slice(ds.collection.length + 1).split('_');
        const ctx: TransformContext = { organizationId: `${scope[0]}_${scope[1]}`, ...(scope.length > 2 ? { environmentId: `${scope[2]}_${scope[3]}` } : {}) };
        assert.doesNotThrow(() => ds.transform(p.built.doc, ctx), `${p.collection} ${String(p.built.doc._id)} (${p.built.messy.join(', ')})`);
        for (const kind of p.built.messy) messy.add(kind);
        documents++;
      }
    }
  }
  return { documents, messy };
}
