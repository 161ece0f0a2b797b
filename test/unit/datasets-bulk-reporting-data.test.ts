// reporting_data: literal documents (clean, each messy variant the fixtures write, null vs
// missing, edge values) and the whole rows they become; unmappable values name their field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal128, Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { reportingData, reportingDataColumns, reportingDataRow } from '../../app/datasets/bulk/reporting-data.js';
import { TransformError } from '../../app/errors.js';

const ID = '65f1a2b3c4d5e6f708192a3b';
const ORG = 'tkcorg_0123456789abcdef';
const ENV = 'tkcenv_fedcba9876543210';
const DAY = '2025-03-03T00:00:00.000Z';
const COMPUTED = '2025-03-04T01:15:00.000Z';

function doc(overrides: Document = {}): Document {
  return {
    _id: new ObjectId(ID),
    organizationId: ORG,
    environmentId: ENV,
    workflowName: 'api-smoke',
    granularity: 'day',
    date: new Date(DAY),
    executions: new Int32(24),
    passed: new Int32(20),
    failed: new Int32(3),
    aborted: new Int32(1),
    passRate: new Double(0.8333),
    durationMs: { total: Long.fromNumber(2_880_000), min: new Int32(40_000), max: new Int32(240_000), avg: new Double(120_000), p50: new Double(108_000), p95: new Double(216_000) },
    tags: { team: 'core' },
    computedAt: new Date(COMPUTED),
    ...overrides,
  };
}

function without(d: Document, ...keys: string[]): Document {
  const copy = { ...d };
  for (const k of keys) delete copy[k];
  return copy;
}

function failsOn(field: string, d: Document, why = ''): void {
  assert.throws(() => reportingDataRow(d), (err: unknown) => err instanceof TransformError && err.code === 'TRANSFORM' && err.field === field, `fails on ${field} ${why}`);
}

test('a clean bucket becomes one whole row', () => {
  assert.deepEqual(reportingData.transform(doc(), {}), [{
    table: 'reporting_data',
    rows: [[
      ID, ORG, ENV, 'api-smoke', 'day', DAY, 24, 20, 3, 1, 0.8333, '2880000',
      '{"total":2880000,"min":40000,"max":240000,"avg":120000.0,"p50":108000.0,"p95":216000.0}', '{"team":"core"}', COMPUTED, null,
    ]],
  }]);
  assert.equal(reportingDataColumns.length, reportingDataRow(doc()).length);
  assert.deepEqual(reportingData.tables, [{ table: 'reporting_data', columns: reportingDataColumns, conflictKey: ['mongo_id'] }]);
  assert.equal(reportingData.idOf(doc()), ID);
});

test('a bucket without executions: passRate and durationMs null, no tags', () => {
  assert.deepEqual(reportingDataRow(without(doc({ executions: new Int32(0), passed: new Int32(0), failed: new Int32(0), aborted: new Int32(0), passRate: null, durationMs: null }), 'tags')), [
    ID, ORG, ENV, 'api-smoke', 'day', DAY, 0, 0, 0, 0, null, null, 'null', null, COMPUTED, null,
  ]);
});

test('messy: counts as strings, Long or integral Double are mapped by value', () => {
  const row = reportingDataRow(doc({ executions: '24', passed: Long.fromNumber(20), failed: new Double(3), aborted: ' 1 ' }));
  assert.deepEqual(row.slice(6, 10), [24, 20, 3, 1]);
});

test('passRate: a Double as is; a decimal string or Decimal128 when a double holds it exactly', () => {
  assert.equal(reportingDataRow(doc({ passRate: new Double(0.1) }))[10], 0.1);
  assert.equal(reportingDataRow(doc({ passRate: '0.75' }))[10], 0.75);
  assert.equal(reportingDataRow(doc({ passRate: Decimal128.fromString('0.5') }))[10], 0.5);
  assert.equal(reportingDataRow(doc({ passRate: new Int32(1) }))[10], 1);
});

test('messy: passRate as a string, durationMs parts in other widths', () => {
  const row = reportingDataRow(doc({ passRate: '0.8333', durationMs: { total: '2880000', min: Long.fromNumber(40_000), max: new Double(240_000), avg: '120000', p50: new Double(108_000), p95: new Double(216_000) } }));
  assert.equal(row[10], 0.8333);
  assert.equal(row[11], '2880000');
  assert.equal(row[12], '{"total":"2880000","min":40000,"max":240000.0,"avg":"120000","p50":108000.0,"p95":216000.0}');
  assert.equal(reportingDataRow(doc({ durationMs: { total: new Double(2_880_000) } }))[11], '2880000');
  assert.equal(reportingDataRow(doc({ durationMs: { total: new Int32(2_880) } }))[11], '2880');
});

test('durationMs.total keeps a Long beyond 2^53 exactly, in the column and in the jsonb', () => {
  const row = reportingDataRow(doc({ durationMs: { total: Long.fromString('9007199254740993') } }));
  assert.deepEqual([row[11], row[12]], ['9007199254740993', '{"total":{"$numberLong":"9007199254740993"}}']);
});

test('null vs missing: typed columns NULL for both; durationMs and tags keep an explicit null as JSON null', () => {
  const nulls = reportingDataRow(doc({ environmentId: null, passRate: null, durationMs: null, tags: null, computedAt: null }));
  const missing = reportingDataRow(without(doc(), 'environmentId', 'passRate', 'durationMs', 'tags', 'computedAt'));
  assert.deepEqual(nulls, [ID, ORG, null, 'api-smoke', 'day', DAY, 24, 20, 3, 1, null, null, 'null', 'null', null, null]);
  assert.deepEqual(missing, [ID, ORG, null, 'api-smoke', 'day', DAY, 24, 20, 3, 1, null, null, null, null, null, null]);
  assert.equal(reportingDataRow(doc({ durationMs: { min: new Int32(1) } }))[11], null, 'no total: NULL');
});

test('unknown top-level fields go to extra', () => {
  assert.equal(reportingDataRow(doc({ tmpFlag: true, migratedFrom: 'v1' }))[15], '{"tmpFlag":true,"migratedFrom":"v1"}');
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  failsOn('_id', doc({ _id: 7 }));
  failsOn('organizationId', without(doc(), 'organizationId'));
  failsOn('environmentId', doc({ environmentId: new ObjectId(ID) }));
  failsOn('workflowName', without(doc(), 'workflowName'));
  failsOn('granularity', doc({ granularity: null }));
  failsOn('date', without(doc(), 'date'));
  failsOn('date', doc({ date: new Date(Date.UTC(-5000, 0, 1)) }));
  failsOn('executions', doc({ executions: new Double(24.5) }));
  failsOn('executions', doc({ executions: 'many' }));
  failsOn('passed', doc({ passed: Long.fromString('4294967296') }));
  failsOn('failed', doc({ failed: true }));
  failsOn('aborted', doc({ aborted: '1.5' }));
  failsOn('passRate', doc({ passRate: 'n/a' }));
  failsOn('passRate', doc({ passRate: '0.83333333333333333333' }), 'more digits than a double holds: not rounded');
  failsOn('passRate', doc({ passRate: Number.NaN }));
  failsOn('passRate', doc({ passRate: Decimal128.fromString('Infinity') }));
  failsOn('durationMs', doc({ durationMs: '2880000' }));
  failsOn('durationMs.total', doc({ durationMs: { total: new Double(1.5) } }));
  failsOn('durationMs.total', doc({ durationMs: { total: Decimal128.fromString('9223372036854775808') } }));
  failsOn('computedAt', doc({ computedAt: 'tomorrow' }));
  failsOn('tags.team', doc({ tags: { team: '\u0000' } }));
});

test('references: the organisation, and the environment keyed with its organisation when given', () => {
  assert.deepEqual(reportingData.references?.(doc(), {}), [
    { kind: 'organization', id: ORG, field: 'organizationId' },
    { kind: 'environment', id: `${ORG}/${ENV}`, field: 'environmentId' },
  ]);
  assert.deepEqual(reportingData.references?.(doc({ environmentId: null }), {}), [{ kind: 'organization', id: ORG, field: 'organizationId' }]);
});
