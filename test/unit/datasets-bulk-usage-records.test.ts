// usage → usage_records: literal documents (clean, each messy variant the fixtures write, null vs
// missing, edge values) and the whole rows they become; unmappable values name their field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal128, Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { usageColumns, usageRecords, usageRow } from '../../app/datasets/bulk/usage-records.js';
import { TransformError } from '../../app/errors.js';

const ID = '65f1a2b3c4d5e6f708192a3b';
const ORG = 'tkcorg_0123456789abcdef';
const ENV = 'tkcenv_fedcba9876543210';

function doc(overrides: Document = {}): Document {
  return {
    _id: new ObjectId(ID),
    organizationId: ORG,
    environmentId: ENV,
    metric: 'storage_bytes',
    value: Long.fromString('123456789012'),
    timestamp: new Date('2025-03-04T05:00:00Z'),
    labels: { source: 'agent', workflow: 'api-smoke', agentId: 'tkcagent_00000000000000a1' },
    ...overrides,
  };
}

function without(d: Document, ...keys: string[]): Document {
  const copy = { ...d };
  for (const k of keys) delete copy[k];
  return copy;
}

function failsOn(field: string, d: Document): void {
  assert.throws(() => usageRow(d), (err: unknown) => err instanceof TransformError && err.code === 'TRANSFORM' && err.field === field, `fails on ${field}`);
}

test('a clean record becomes one whole row', () => {
  const ds = usageRecords(null);
  assert.deepEqual(ds.transform(doc(), {}), [{
    table: 'usage_records',
    rows: [[ID, ORG, ENV, 'storage_bytes', '123456789012', '2025-03-04T05:00:00.000Z', '{"source":"agent","workflow":"api-smoke","agentId":"tkcagent_00000000000000a1"}', null]],
  }]);
  assert.deepEqual(ds.tables, [{ table: 'usage_records', columns: usageColumns, conflictKey: ['mongo_id'] }]);
  assert.equal(usageColumns.length, usageRow(doc()).length);
  assert.equal(ds.idOf(doc()), ID);
});

test('an organisation-wide metric (environmentId null) with an Int32 count', () => {
  assert.deepEqual(usageRow(doc({ environmentId: null, metric: 'active_users', value: new Int32(17), labels: { source: 'api' } })),
    [ID, ORG, null, 'active_users', '17', '2025-03-04T05:00:00.000Z', '{"source":"api"}', null]);
});

test('quantity is exact for every width the metrics use, and for the messy ones', () => {
  const quantity = (value: unknown): unknown => usageRow(doc({ value }))[4];
  assert.equal(quantity(new Double(12.75)), '12.75', 'execution_minutes: Double');
  assert.equal(quantity(Decimal128.fromString('12.345600')), '12.345600', 'ai_cost_usd: Decimal128 keeps its scale');
  assert.equal(quantity(Decimal128.fromString('1234567890123456789012.345678901234')), '1234567890123456789012.345678901234', '34-digit Decimal128');
  assert.equal(quantity(Long.MAX_VALUE), '9223372036854775807', 'Long 2^63-1');
  assert.equal(quantity(Long.fromString('9007199254740993')), '9007199254740993', 'Long beyond 2^53');
  assert.equal(quantity('1234'), '1234', 'number-as-string');
  assert.equal(quantity('0.125000'), '0.125000', 'number-as-string keeps its digits');
  assert.equal(quantity(Long.fromNumber(42)), '42', 'numeric-width: Long for a count');
  assert.equal(quantity(new Double(1048576)), '1048576', 'numeric-width: Double for bytes');
  assert.equal(quantity(new Double(12.5)), '12.5', 'numeric-width: money as Double');
  assert.equal(quantity(new Int32(0)), '0');
});

test('labels: missing is NULL, explicit null is JSON null, other values are kept as Extended JSON', () => {
  assert.equal(usageRow(without(doc(), 'labels'))[6], null);
  assert.equal(usageRow(doc({ labels: null }))[6], 'null');
  assert.equal(usageRow(doc({ labels: {} }))[6], '{}');
  assert.equal(usageRow(doc({ labels: { since: new Date('2025-01-01T00:00:00Z'), n: new Int32(3) } }))[6], '{"since":{"$date":"2025-01-01T00:00:00.000Z"},"n":3}');
});

test('environmentId: null and missing are both NULL', () => {
  assert.equal(usageRow(doc({ environmentId: null }))[2], null);
  assert.equal(usageRow(without(doc(), 'environmentId'))[2], null);
});

test('unknown top-level fields go to extra, nothing is dropped', () => {
  assert.deepEqual(usageRow(doc({ _class: 'io.testkube.cloud.model.Legacy', notes: { importedBy: 'backfill-2024-05', attempt: new Int32(2) }, tmpFlag: true, migratedFrom: null })),
    [ID, ORG, ENV, 'storage_bytes', '123456789012', '2025-03-04T05:00:00.000Z', '{"source":"agent","workflow":"api-smoke","agentId":"tkcagent_00000000000000a1"}',
      '{"_class":"io.testkube.cloud.model.Legacy","notes":{"importedBy":"backfill-2024-05","attempt":2},"tmpFlag":true,"migratedFrom":null}']);
});

test('a timestamp written as ISO-8601 text is parsed', () => {
  assert.equal(usageRow(doc({ timestamp: '2025-03-04T05:00:00Z' }))[5], '2025-03-04T05:00:00.000Z');
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  failsOn('_id', doc({ _id: ID }));
  failsOn('organizationId', without(doc(), 'organizationId'));
  failsOn('organizationId', doc({ organizationId: null }));
  failsOn('organizationId', doc({ organizationId: new ObjectId(ID) }));
  failsOn('organizationId', doc({ organizationId: 'x'.repeat(65) }));
  failsOn('environmentId', doc({ environmentId: new Int32(3) }));
  failsOn('metric', without(doc(), 'metric'));
  failsOn('metric', doc({ metric: 'storage\u0000bytes' }));
  failsOn('value', without(doc(), 'value'));
  failsOn('value', doc({ value: null }));
  failsOn('value', doc({ value: '12 GB' }));
  failsOn('value', doc({ value: Number.NaN }));
  failsOn('value', doc({ value: new Double(Number.POSITIVE_INFINITY) }));
  failsOn('value', doc({ value: Decimal128.fromString('NaN') }));
  failsOn('value', doc({ value: true }));
  failsOn('timestamp', without(doc(), 'timestamp'));
  failsOn('timestamp', doc({ timestamp: new Date(Date.UTC(-5000, 0, 1)) }));
  failsOn('timestamp', doc({ timestamp: new Int32(1) }));
  failsOn('labels.source', doc({ labels: { source: 'a\u0000b' } }));
  failsOn('extra.notes', doc({ notes: 'a\u0000b' }));
});

test('references: the organisation, and the environment keyed with its organisation when given', () => {
  const ds = usageRecords(null);
  assert.deepEqual(ds.references?.(doc(), {}), [
    { kind: 'organization', id: ORG, field: 'organizationId' },
    { kind: 'environment', id: `${ORG}/${ENV}`, field: 'environmentId' },
  ]);
  assert.deepEqual(ds.references?.(doc({ environmentId: null }), {}), [{ kind: 'organization', id: ORG, field: 'organizationId' }]);
});

test('CONVERT_SINCE: timestamp on or after the date, as a date or as ISO-8601 text', () => {
  assert.equal(usageRecords(null).filter, undefined);
  assert.deepEqual(usageRecords(new Date('2025-03-01T00:00:00Z')).filter, {
    $or: [{ timestamp: { $gte: new Date('2025-03-01T00:00:00Z') } }, { timestamp: { $gte: '2025-03-01' } }],
  });
});
