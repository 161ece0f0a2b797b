// audit_log_events: literal documents (clean, each messy variant the fixtures write, null vs
// missing, edge values) and the whole rows they become; unmappable values name their field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, ObjectId, type Document } from 'mongodb';
import { auditLogEventColumns, auditLogEventRow, auditLogEvents } from '../../app/datasets/bulk/audit-log-events.js';
import { TransformError } from '../../app/errors.js';

const ID = '65f1a2b3c4d5e6f708192a3b';
const ORG = 'tkcorg_0123456789abcdef';
const ENV = 'tkcenv_fedcba9876543210';
const USER = '64b0c1d2e3f4a5b6c7d8e9f0';
const AT = '2025-03-04T05:06:07.089Z';

function doc(overrides: Document = {}): Document {
  return {
    _id: new ObjectId(ID),
    organizationId: ORG,
    environmentId: ENV,
    timestamp: new Date(AT),
    actor: { type: 'user', id: USER, email: 'ada.lovelace.0@example.com', name: 'Ada Lovelace' },
    action: 'testworkflow.update',
    resource: { type: 'testworkflow', id: 'a1b2c3d4e5f6a7b8c9d0e1f2', name: 'api-smoke' },
    outcome: 'success',
    ip: '10.1.2.3',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0',
    requestId: '0123456789abcdef0123456789abcdef',
    changes: { before: { disabled: false }, after: { disabled: true } },
    metadata: { reason: 'rotation', ticket: 'SEC-123' },
    ...overrides,
  };
}

function without(d: Document, ...keys: string[]): Document {
  const copy = { ...d };
  for (const k of keys) delete copy[k];
  return copy;
}

function failsOn(field: string, d: Document): void {
  assert.throws(() => auditLogEventRow(d), (err: unknown) => err instanceof TransformError && err.code === 'TRANSFORM' && err.field === field, `fails on ${field}`);
}

test('a clean event becomes one whole row', () => {
  assert.deepEqual(auditLogEvents.transform(doc(), {}), [{
    table: 'audit_log_events',
    rows: [[
      ID, ORG, ENV, AT, 'testworkflow.update', 'user', USER, 'ada.lovelace.0@example.com', 'Ada Lovelace',
      'testworkflow', 'a1b2c3d4e5f6a7b8c9d0e1f2', 'api-smoke', 'success', '10.1.2.3', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0',
      '0123456789abcdef0123456789abcdef', '{"before":{"disabled":false},"after":{"disabled":true}}', '{"reason":"rotation","ticket":"SEC-123"}', null,
    ]],
  }]);
  assert.equal(auditLogEventColumns.length, auditLogEventRow(doc()).length);
  assert.deepEqual(auditLogEvents.tables, [{ table: 'audit_log_events', columns: auditLogEventColumns, conflictKey: ['mongo_id'] }]);
  assert.equal(auditLogEvents.idOf(doc()), ID);
});

test('a system actor, no environment, no optional fields', () => {
  const d = without(doc({ environmentId: null, actor: { type: 'system', id: 'testkube-cloud-api' }, action: 'user.login', resource: { type: 'user' }, outcome: 'denied', ip: 'unknown' }),
    'userAgent', 'requestId', 'changes', 'metadata');
  assert.deepEqual(auditLogEventRow(d), [
    ID, ORG, null, AT, 'user.login', 'system', 'testkube-cloud-api', null, null, 'user', null, null, 'denied', 'unknown', null, null, null, null, null,
  ]);
});

test('messy: a user actor id stored as ObjectId is the hex string', () => {
  assert.equal(auditLogEventRow(doc({ actor: { type: 'user', id: new ObjectId(USER), email: 'ada.lovelace.0@example.com' } }))[6], USER);
});

test('messy: environmentId missing (instead of null) is NULL too', () => {
  assert.equal(auditLogEventRow(without(doc(), 'environmentId'))[2], null);
});

test('messy: optional actor/resource keys and top-level fields null or missing are NULL columns', () => {
  const d = doc({ actor: { type: 'user', id: USER, email: null }, resource: { type: 'testworkflow', id: null }, ip: null, userAgent: null, requestId: null });
  assert.deepEqual(auditLogEventRow(without(d, 'metadata')), [
    ID, ORG, ENV, AT, 'testworkflow.update', 'user', USER, null, null, 'testworkflow', null, null, 'success', null, null, null,
    '{"before":{"disabled":false},"after":{"disabled":true}}', null, null,
  ]);
});

test('changes and metadata: explicit null is JSON null, booleans written as strings are kept as written', () => {
  const row = auditLogEventRow(doc({ metadata: null, changes: { before: { disabled: 'false' }, after: { disabled: 'true' } } }));
  assert.equal(row[16], '{"before":{"disabled":"false"},"after":{"disabled":"true"}}');
  assert.equal(row[17], 'null');
});

test('actor or resource missing or null: their columns are NULL', () => {
  const row = auditLogEventRow(without(doc({ resource: null }), 'actor'));
  assert.deepEqual(row.slice(5, 12), [null, null, null, null, null, null, null]);
  assert.equal(row[18], null);
});

test('unknown fields go to extra; so do actor/resource keys without a column, under their parent key', () => {
  const d = doc({
    actor: { type: 'api-token', id: 'a1b2c3d4e5f6a7b8c9d0e1f2', name: 'ci-3', tokenPrefix: 'tkc_ab' },
    resource: { type: 'token', id: 'a1b2c3d4e5f6a7b8c9d0e1f2', scope: ['read', 'run'] },
    _class: 'io.testkube.cloud.model.Legacy',
    schemaVersion: new Int32(2),
  });
  const row = auditLogEventRow(d);
  assert.deepEqual(row.slice(5, 12), ['api-token', 'a1b2c3d4e5f6a7b8c9d0e1f2', null, 'ci-3', 'token', 'a1b2c3d4e5f6a7b8c9d0e1f2', null]);
  assert.equal(row[18], '{"actor":{"tokenPrefix":"tkc_ab"},"resource":{"scope":["read","run"]},"_class":"io.testkube.cloud.model.Legacy","schemaVersion":2}');
  assert.equal(auditLogEventRow(doc({ tmpFlag: true }))[18], '{"tmpFlag":true}');
  assert.equal(auditLogEventRow(doc({ actor: { type: 'agent', id: 'tkcagent_00000000000000a1', version: '1.2' } }))[18], '{"actor":{"version":"1.2"}}');
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  failsOn('_id', doc({ _id: 'not-an-objectid' }));
  failsOn('organizationId', without(doc(), 'organizationId'));
  failsOn('organizationId', doc({ organizationId: new Int32(1) }));
  failsOn('environmentId', doc({ environmentId: new ObjectId(USER) }));
  failsOn('timestamp', without(doc(), 'timestamp'));
  failsOn('timestamp', doc({ timestamp: new Date(Date.UTC(-5000, 0, 1)) }));
  failsOn('timestamp', doc({ timestamp: 'yesterday' }));
  failsOn('action', without(doc(), 'action'));
  failsOn('actor', doc({ actor: 'ada@example.com' }));
  failsOn('actor', doc({ actor: [USER] }));
  failsOn('actor.id', doc({ actor: { type: 'user', id: new Int32(7) } }));
  failsOn('actor.id', doc({ actor: { type: 'user', id: 'u'.repeat(65) } }));
  failsOn('actor.email', doc({ actor: { type: 'user', id: USER, email: { address: 'x' } } }));
  failsOn('resource', doc({ resource: 'testworkflow/api-smoke' }));
  failsOn('resource.name', doc({ resource: { type: 'testworkflow', name: 'api\u0000smoke' } }));
  failsOn('userAgent', doc({ userAgent: 'curl/8.5\u0000injected' }));
  failsOn('changes.after.note', doc({ changes: { after: { note: '\u0000' } } }));
  failsOn('actor.extra', doc({ actor: { type: 'user', id: USER, extra: 'x\u0000' } }));
});

test('references: the organisation, and the environment keyed with its organisation when given', () => {
  assert.deepEqual(auditLogEvents.references?.(doc(), {}), [
    { kind: 'organization', id: ORG, field: 'organizationId' },
    { kind: 'environment', id: `${ORG}/${ENV}`, field: 'environmentId' },
  ]);
  assert.deepEqual(auditLogEvents.references?.(without(doc(), 'environmentId'), {}), [{ kind: 'organization', id: ORG, field: 'organizationId' }]);
});
