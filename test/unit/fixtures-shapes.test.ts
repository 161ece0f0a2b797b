import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerKind } from '../fixtures/compat.js';
import { DATA_SETS } from '../fixtures/collections.js';
import { plannedDocuments } from '../fixtures/in-memory.js';
import type { FixtureOptions } from '../fixtures/options.js';
import { SHAPES, bsonTypeOf, shapeProblems } from '../fixtures/shapes.js';

const SMALL: Partial<FixtureOptions> = { seed: 3, orgs: 2, envsPerOrg: 2, usersPerOrg: 3, executionsPerEnv: 6, usageRecords: 300, auditEvents: 60, applicationAuditEvents: 60, events: 80, reportingData: 40 };

/** Checks every document (and every embedded payment) against SHAPES; returns problems found. */
function problemsOf(options: Partial<FixtureOptions>, server: ServerKind = 'mongodb'): string[] {
  const out: string[] = [];
  for (const { dataSet, built, edge } of plannedDocuments(options, server)) {
    const shape = SHAPES[dataSet];
    if (shape === undefined || edge !== undefined) continue; // executions/sequences: fixtures-testkube-docs; edge cases break shapes on purpose
    const ctx = { messy: built.messy.length > 0, legacy: built.messy.includes('legacy-shape'), decimalAsString: server === 'ferretdb-v1' };
    for (const p of shapeProblems(built.doc, shape, ctx)) out.push(`${dataSet} ${String(built.doc._id)} ${p}`);
    const payments = built.doc.payments;
    if (Array.isArray(payments)) {
      payments.forEach((entry, i) => {
        const kinds = built.embedded?.[i]?.messy ?? [];
        const pctx = { messy: kinds.length > 0, legacy: kinds.includes('legacy-shape'), decimalAsString: server === 'ferretdb-v1' };
        for (const p of shapeProblems(entry as Record<string, unknown>, SHAPES.payments_history ?? { fields: {} }, pctx)) out.push(`payment ${i} ${p}`);
      });
    }
  }
  return out;
}

test('every data set except executions and sequences has a documented shape', () => {
  const missing = DATA_SETS.map((d) => d.name).filter((n) => SHAPES[n] === undefined);
  assert.deepEqual(missing, ['test_workflow_executions', 'execution_sequences']);
});

test('clean documents (messiness 0) match their documented shapes exactly', () => {
  assert.deepEqual(problemsOf({ ...SMALL, messiness: 0 }), []);
});

test('with messiness 0 no document is marked messy', () => {
  for (const { built } of plannedDocuments({ ...SMALL, messiness: 0 })) {
    assert.deepEqual(built.messy, []);
    for (const e of built.embedded ?? []) assert.deepEqual(e.messy, []);
  }
});

test('messy documents stay within the documented deviations', () => {
  assert.deepEqual(problemsOf({ ...SMALL, messiness: 0.5, orphans: true }), []);
  assert.deepEqual(problemsOf({ ...SMALL, messiness: 1, seed: 11 }), []);
});

test('with messiness 1 every document is messy and says how', () => {
  for (const { built } of plannedDocuments({ ...SMALL, messiness: 1 })) assert.ok(built.messy.length > 0, String(built.doc._id));
});

test('on FerretDB v1 money is an exact decimal string, never Decimal128', () => {
  assert.deepEqual(problemsOf({ ...SMALL, messiness: 0 }, 'ferretdb-v1'), []);
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    found.add(bsonTypeOf(v));
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object' && bsonTypeOf(v) === 'object') Object.values(v).forEach(walk);
  };
  for (const { built } of plannedDocuments({ ...SMALL, messiness: 0.3, edgeCases: true }, 'ferretdb-v1')) walk(built.doc);
  assert.ok(!found.has('decimal128'));
});

test('the usage record shape is the one the brief fixes', () => {
  for (const { dataSet, built, edge } of plannedDocuments({ ...SMALL, messiness: 0.5 })) {
    if (dataSet !== 'usage_records' || edge !== undefined) continue;
    const d = built.doc;
    assert.equal(bsonTypeOf(d._id), 'objectId');
    assert.equal(typeof d.organizationId, 'string');
    assert.ok(d.environmentId === null || typeof d.environmentId === 'string');
    assert.ok(['int32', 'double', 'long', 'decimal128'].includes(bsonTypeOf(d.value)) || (typeof d.value === 'string' && /^-?\d+(\.\d+)?$/.test(d.value)));
    assert.ok(d.timestamp instanceof Date);
    if ('labels' in d) assert.ok(Object.values(d.labels as object).every((v) => typeof v === 'string'));
  }
});

test('the shape check catches wrong types, missing fields and unknown fields', () => {
  const user = [...plannedDocuments({ ...SMALL, messiness: 0 })].find((d) => d.dataSet === 'users')?.built.doc;
  assert.ok(user !== undefined);
  const shape = SHAPES.users ?? { fields: {} };
  const clean = { messy: false, legacy: false, decimalAsString: false };
  assert.deepEqual(shapeProblems(user, shape, clean), []);
  assert.deepEqual(shapeProblems({ ...user, email: 5 }, shape, clean), ['email: int32, expected string']);
  const { createdAt: _gone, ...noCreatedAt } = user;
  assert.deepEqual(shapeProblems(noCreatedAt, shape, clean), ['createdAt: missing']);
  assert.deepEqual(shapeProblems({ ...user, tmpFlag: true }, shape, clean), ['tmpFlag: not in the model']);
  assert.deepEqual(shapeProblems({ ...user, tmpFlag: true, emailVerified: 'true' }, shape, { ...clean, messy: true }), []);
  assert.deepEqual(shapeProblems({ ...user, emailVerified: 'yes' }, shape, clean), ['emailVerified: string, expected bool']);
});
