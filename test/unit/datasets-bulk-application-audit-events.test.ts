// application_audit_events: literal documents (clean, each messy variant the fixtures write, null
// vs missing, edge values) and the whole rows they become; unmappable values name their field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { applicationAuditEventColumns, applicationAuditEventRow, applicationAuditEvents } from '../../app/datasets/bulk/application-audit-events.js';
import { TransformError } from '../../app/errors.js';

const ID = '65f1a2b3c4d5e6f708192a3b';
const ORG = 'tkcorg_0123456789abcdef';
const ENV = 'tkcenv_fedcba9876543210';
const USER = '64b0c1d2e3f4a5b6c7d8e9f0';
const AT = '2024-11-30T23:59:59.999Z';

function doc(overrides: Document = {}): Document {
  return {
    _id: new ObjectId(ID),
    timestamp: new Date(AT),
    service: 'api',
    level: 'info',
    event: 'user.login',
    message: 'user login',
    organizationId: ORG,
    environmentId: ENV,
    userId: USER,
    requestId: '0123456789abcdef0123456789abcdef',
    hostname: 'api-1a2b3-4c5d6',
    attributes: { durationMs: new Int32(120), attempt: new Int32(1), success: true },
    ...overrides,
  };
}

function without(d: Document, ...keys: string[]): Document {
  const copy = { ...d };
  for (const k of keys) delete copy[k];
  return copy;
}

function failsOn(field: string, d: Document): void {
  assert.throws(() => applicationAuditEventRow(d), (err: unknown) => err instanceof TransformError && err.code === 'TRANSFORM' && err.field === field, `fails on ${field}`);
}

test('a clean event becomes one whole row', () => {
  assert.deepEqual(applicationAuditEvents.transform(doc(), {}), [{
    table: 'application_audit_events',
    rows: [[ID, AT, 'api', 'info', 'user.login', 'user login', ORG, ENV, USER, null, '0123456789abcdef0123456789abcdef', 'api-1a2b3-4c5d6',
      '{"durationMs":120,"attempt":1,"success":true}', null]],
  }]);
  assert.equal(applicationAuditEventColumns.length, applicationAuditEventRow(doc()).length);
  assert.deepEqual(applicationAuditEvents.tables, [{ table: 'application_audit_events', columns: applicationAuditEventColumns, conflictKey: ['mongo_id'] }]);
  assert.equal(applicationAuditEvents.idOf(doc()), ID);
});

test('an agent event of a tenant and an event with no tenant at all', () => {
  assert.deepEqual(applicationAuditEventRow(without(doc({ service: 'agent-gateway', event: 'agent.connected', message: 'agent connected', environmentId: null, agentId: 'tkcagent_00000000000000a1' }), 'userId', 'requestId')),
    [ID, AT, 'agent-gateway', 'info', 'agent.connected', 'agent connected', ORG, null, null, 'tkcagent_00000000000000a1', null, 'api-1a2b3-4c5d6', '{"durationMs":120,"attempt":1,"success":true}', null]);
  assert.deepEqual(applicationAuditEventRow(without(doc({ service: 'worker', event: 'retention.sweep', message: 'retention sweep' }), 'organizationId', 'environmentId', 'userId', 'requestId', 'hostname', 'attributes')),
    [ID, AT, 'worker', 'info', 'retention.sweep', 'retention sweep', null, null, null, null, null, null, null, null]);
});

test('messy: userId stored as ObjectId is the hex string', () => {
  assert.equal(applicationAuditEventRow(doc({ userId: new ObjectId(USER) }))[8], USER);
});

test('messy: attributes in other widths and as strings are kept as written', () => {
  assert.equal(applicationAuditEventRow(doc({ attributes: { durationMs: '120', attempt: Long.fromNumber(2), success: 'false' } }))[12], '{"durationMs":"120","attempt":2,"success":"false"}');
  assert.equal(applicationAuditEventRow(doc({ attributes: { durationMs: new Double(4999), attempt: '3', success: 'true' } }))[12], '{"durationMs":4999.0,"attempt":"3","success":"true"}');
});

test('null vs missing: typed columns NULL for both; attributes keeps an explicit null as JSON null', () => {
  const nulls = applicationAuditEventRow(doc({ environmentId: null, requestId: null, hostname: null, attributes: null }));
  const missing = applicationAuditEventRow(without(doc(), 'environmentId', 'requestId', 'hostname', 'attributes'));
  assert.deepEqual(nulls.slice(7, 13), [null, USER, null, null, null, 'null']);
  assert.deepEqual(missing.slice(7, 13), [null, USER, null, null, null, null]);
});

test('service, level and message are nullable columns: a missing one is NULL, not an error', () => {
  assert.deepEqual(applicationAuditEventRow(without(doc(), 'service', 'level', 'message')).slice(2, 6), [null, null, 'user.login', null]);
});

test('unknown top-level fields go to extra', () => {
  assert.equal(applicationAuditEventRow(doc({ migratedFrom: 'v1', notes: { importedBy: 'backfill-2024-05', attempt: new Int32(1) } }))[13],
    '{"migratedFrom":"v1","notes":{"importedBy":"backfill-2024-05","attempt":1}}');
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  failsOn('_id', doc({ _id: ID }));
  failsOn('timestamp', without(doc(), 'timestamp'));
  failsOn('timestamp', doc({ timestamp: new Date(Date.UTC(-5000, 0, 1)) }));
  failsOn('event', without(doc(), 'event'));
  failsOn('event', doc({ event: null }));
  failsOn('message', doc({ message: 'bad\u0000byte' }));
  failsOn('organizationId', doc({ organizationId: new ObjectId(USER) }));
  failsOn('environmentId', doc({ environmentId: new Int32(2) }));
  failsOn('userId', doc({ userId: new Int32(5) }));
  failsOn('agentId', doc({ agentId: 'a'.repeat(65) }));
  failsOn('attributes.note', doc({ attributes: { note: 'x\u0000' } }));
});

test('no references: a tenant named for context only is never an integrity error', () => {
  assert.equal(applicationAuditEvents.references, undefined);
  assert.deepEqual(applicationAuditEvents.dependsOn, []);
});
