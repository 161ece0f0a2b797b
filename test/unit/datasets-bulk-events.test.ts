// events: literal documents (clean, each messy variant the fixtures write, null vs missing, edge
// values) and the whole rows they become; unmappable values name their field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { eventColumns, eventRow, events } from '../../app/datasets/bulk/events.js';
import { TransformError } from '../../app/errors.js';

const ID = '65f1a2b3c4d5e6f708192a3b';
const ORG = 'tkcorg_0123456789abcdef';
const ENV = 'tkcenv_fedcba9876543210';
const EXEC = '6601a2b3c4d5e6f708192a3c';
const CREATED = '2025-02-03T04:05:06.007Z';
const EXPIRES = '2025-05-04T04:05:06.007Z';

function doc(overrides: Document = {}): Document {
  return {
    _id: new ObjectId(ID),
    organizationId: ORG,
    environmentId: ENV,
    type: 'end-testworkflow-success',
    resource: 'testworkflowexecution',
    resourceId: EXEC,
    executionId: EXEC,
    workflowName: 'api-smoke',
    agentId: 'tkcagent_00000000000000a1',
    payload: { id: EXEC, name: 'api-smoke-42', number: new Int32(42), status: 'success', durationMs: Long.fromNumber(93_000) },
    deliveries: [{ webhook: 'slack-1', statusCode: new Int32(200), attempt: new Int32(1), deliveredAt: new Date('2025-02-03T04:05:07Z') }],
    createdAt: new Date(CREATED),
    expiresAt: new Date(EXPIRES),
    ...overrides,
  };
}

function without(d: Document, ...keys: string[]): Document {
  const copy = { ...d };
  for (const k of keys) delete copy[k];
  return copy;
}

function failsOn(field: string, d: Document): void {
  assert.throws(() => eventRow(d), (err: unknown) => err instanceof TransformError && err.code === 'TRANSFORM' && err.field === field, `fails on ${field}`);
}

test('a clean execution event becomes one whole row', () => {
  assert.deepEqual(events.transform(doc(), {}), [{
    table: 'events',
    rows: [[
      ID, ORG, ENV, 'end-testworkflow-success', 'testworkflowexecution', EXEC, EXEC, 'api-smoke', 'tkcagent_00000000000000a1',
      `{"id":"${EXEC}","name":"api-smoke-42","number":42,"status":"success","durationMs":93000}`,
      '[{"webhook":"slack-1","statusCode":200,"attempt":1,"deliveredAt":{"$date":"2025-02-03T04:05:07.000Z"}}]',
      CREATED, EXPIRES, null,
    ]],
  }]);
  assert.equal(eventColumns.length, eventRow(doc()).length);
  assert.deepEqual(events.tables, [{ table: 'events', columns: eventColumns, conflictKey: ['mongo_id'] }]);
  assert.equal(events.idOf(doc()), ID);
});

test('a resource event: no execution, no deliveries', () => {
  assert.deepEqual(eventRow(without(doc({ type: 'updated', resource: 'testworkflow', resourceId: 'api-smoke', payload: { name: 'api-smoke', generation: new Int32(3) } }), 'executionId', 'deliveries')), [
    ID, ORG, ENV, 'updated', 'testworkflow', 'api-smoke', null, 'api-smoke', 'tkcagent_00000000000000a1', '{"name":"api-smoke","generation":3}', null, CREATED, EXPIRES, null,
  ]);
});

test('messy: numbers in other widths or as strings and dates as strings are kept as written in payload/deliveries', () => {
  const row = eventRow(doc({
    payload: { id: EXEC, number: '42', durationMs: new Double(93000), size: Long.fromString('9007199254740993') },
    deliveries: [{ webhook: 'slack-2', statusCode: '502', attempt: Long.fromNumber(1), deliveredAt: '2025-02-03T04:05:07.000Z' }],
  }));
  assert.equal(row[9], `{"id":"${EXEC}","number":"42","durationMs":93000.0,"size":{"$numberLong":"9007199254740993"}}`);
  assert.equal(row[10], '[{"webhook":"slack-2","statusCode":"502","attempt":1,"deliveredAt":"2025-02-03T04:05:07.000Z"}]');
});

test('null vs missing: typed columns NULL for both; payload and deliveries keep an explicit null as JSON null', () => {
  const nulls = eventRow(doc({ environmentId: null, workflowName: null, agentId: null, expiresAt: null, payload: null, deliveries: null }));
  const missing = eventRow(without(doc(), 'environmentId', 'workflowName', 'agentId', 'expiresAt', 'payload', 'deliveries'));
  assert.deepEqual(nulls, [ID, ORG, null, 'end-testworkflow-success', 'testworkflowexecution', EXEC, EXEC, null, null, 'null', 'null', CREATED, null, null]);
  assert.deepEqual(missing, [ID, ORG, null, 'end-testworkflow-success', 'testworkflowexecution', EXEC, EXEC, null, null, null, null, CREATED, null, null]);
});

test('dates written as ISO-8601 text are parsed for the typed columns', () => {
  const row = eventRow(doc({ createdAt: '2025-02-03T04:05:06.007Z', expiresAt: '2025-05-04' }));
  assert.deepEqual([row[11], row[12]], [CREATED, '2025-05-04T00:00:00.000Z']);
});

test('an executionId stored as ObjectId is its hex string', () => {
  assert.equal(eventRow(doc({ executionId: new ObjectId(EXEC) }))[6], EXEC);
});

test('edge values of real MongoDB: nested arrays, keys with dots or $, NaN/Infinity are kept as Extended JSON', () => {
  assert.equal(eventRow(doc({ payload: { matrix: [[1, 2], [3, [4, 5]]], shards: [[], ['a']] } }))[9], '{"matrix":[[1,2],[3,[4,5]]],"shards":[[],["a"]]}');
  assert.equal(eventRow(doc({ payload: { 'app.kubernetes.io/name': 'checkout', $comment: 'raw' } }))[9], '{"app.kubernetes.io/name":"checkout","$comment":"raw"}');
  // Relaxed Extended JSON v2 writes non-finite doubles as {"$numberDouble": …}: stored faithfully,
  // reversible (docs/data-model/bulk.md, events).
  assert.equal(eventRow(doc({ payload: { score: Number.NaN, ratio: Number.POSITIVE_INFINITY } }))[9], '{"score":{"$numberDouble":"NaN"},"ratio":{"$numberDouble":"Infinity"}}');
});

test('unknown top-level fields go to extra', () => {
  assert.equal(eventRow(doc({ _class: 'io.testkube.cloud.model.Legacy', schemaVersion: new Int32(3) }))[13], '{"_class":"io.testkube.cloud.model.Legacy","schemaVersion":3}');
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  failsOn('_id', doc({ _id: EXEC }));
  failsOn('organizationId', without(doc(), 'organizationId'));
  failsOn('organizationId', doc({ organizationId: new ObjectId(EXEC) }));
  failsOn('environmentId', doc({ environmentId: { id: ENV } }));
  failsOn('type', without(doc(), 'type'));
  failsOn('createdAt', without(doc(), 'createdAt'));
  failsOn('createdAt', doc({ createdAt: new Date(Date.UTC(-5000, 0, 1)) }));
  failsOn('expiresAt', doc({ expiresAt: 'in 90 days' }));
  failsOn('executionId', doc({ executionId: 'e'.repeat(65) }));
  failsOn('workflowName', doc({ workflowName: ['api-smoke'] }));
  failsOn('payload.name', doc({ payload: { name: 'a\u0000b' } }));
  failsOn('deliveries[0].webhook', doc({ deliveries: [{ webhook: 'slack\u0000' }] }));
});

test('references: the organisation, and the environment keyed with its organisation when given', () => {
  assert.deepEqual(events.references?.(doc(), {}), [
    { kind: 'organization', id: ORG, field: 'organizationId' },
    { kind: 'environment', id: `${ORG}/${ENV}`, field: 'environmentId' },
  ]);
  assert.deepEqual(events.references?.(doc({ environmentId: null }), {}), [{ kind: 'organization', id: ORG, field: 'organizationId' }]);
});
