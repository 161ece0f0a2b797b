// ai_agent_triggers: literal documents → literal rows; an environmentId, when present, is a hard
// reference to an environment of the collection's organisation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long, ObjectId } from 'mongodb';
import { aiAgentTriggers as ds } from '../../app/datasets/record/ai-agent-triggers.js';
import { danglingField, ENV, hex, namedRow, oid, ORG, ORG_CTX, OTHER_ORG, rejectsField, sweepFixtures, USER } from './datasets-scoped-support.js';

const clean = {
  _id: oid(1),
  assistantId: hex(10),
  name: 'auto-triage-1',
  environmentId: ENV,
  event: 'execution.failed',
  selector: { workflowNames: ['api-smoke', 'k6-load'], labels: { team: 'core' } },
  prompt: 'Summarise why this execution failed and propose a fix.',
  enabled: true,
  cooldownSeconds: new Int32(300),
  lastTriggeredAt: new Date('2025-04-01T10:00:00.000Z'),
  createdBy: USER,
  createdAt: new Date('2025-01-01T00:00:00.000Z'),
  updatedAt: new Date('2025-02-01T00:00:00.000Z'),
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  assistant_id: hex(10),
  environment_id: ENV,
  name: 'auto-triage-1',
  event: 'execution.failed',
  selector: '{"workflowNames":["api-smoke","k6-load"],"labels":{"team":"core"}}',
  prompt: 'Summarise why this execution failed and propose a fix.',
  enabled: true,
  cooldown_seconds: 300,
  last_triggered_at: '2025-04-01T10:00:00.000Z',
  created_by: USER,
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-02-01T00:00:00.000Z',
  extra: null,
};

test('a clean document maps to one row', () => {
  assert.deepEqual(namedRow(ds, clean, ORG_CTX), cleanRow);
});

test('messy: cooldown as Long, Double or string; booleans and dates as strings; ObjectId user; unknown field', () => {
  for (const cooldownSeconds of [Long.fromNumber(300), new Double(300), '300']) {
    assert.deepEqual(namedRow(ds, { ...clean, cooldownSeconds }, ORG_CTX), cleanRow);
  }
  const doc = { ...clean, enabled: 'false', createdAt: '2025-01-01T00:00:00.000Z', createdBy: new ObjectId(USER), schemaVersion: new Int32(3) };
  assert.deepEqual(namedRow(ds, doc, ORG_CTX), { ...cleanRow, enabled: false, extra: '{"schemaVersion":3}' });
});

test('missing vs null optional fields (selector.labels kept as written)', () => {
  const { environmentId: _e, cooldownSeconds: _c, lastTriggeredAt: _l, updatedAt: _u, ...missing } = clean;
  const empty = { ...cleanRow, environment_id: null, cooldown_seconds: null, last_triggered_at: null, updated_at: null };
  assert.deepEqual(namedRow(ds, missing, ORG_CTX), empty);
  assert.deepEqual(namedRow(ds, { ...clean, environmentId: null, cooldownSeconds: null, lastTriggeredAt: null, updatedAt: null }, ORG_CTX), empty);
  assert.equal(namedRow(ds, { ...clean, selector: { workflowNames: [], labels: null } }, ORG_CTX).selector, '{"workflowNames":[],"labels":null}');
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, cooldownSeconds: '5m' }, ORG_CTX, 'cooldownSeconds');
  rejectsField(ds, { ...clean, cooldownSeconds: new Double(0.5) }, ORG_CTX, 'cooldownSeconds');
  rejectsField(ds, { ...clean, prompt: { text: 'x' } }, ORG_CTX, 'prompt');
  rejectsField(ds, { ...clean, environmentId: 'e'.repeat(65) }, ORG_CTX, 'environmentId');
});

test('references: the organisation, and the environment when given, within that organisation', () => {
  const known = { organization: [ORG], environment: [`${ORG}/${ENV}`] };
  assert.equal(danglingField(ds, clean, ORG_CTX, known), null);
  assert.equal(danglingField(ds, { ...clean, environmentId: 'tkcenv_00000000000000ff' }, ORG_CTX, known), 'environmentId');
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG], environment: [`${OTHER_ORG}/${ENV}`] }), 'environmentId');
  assert.equal(danglingField(ds, { ...clean, environmentId: null }, ORG_CTX, { organization: [ORG], environment: [] }), null);
  assert.equal(danglingField(ds, { ...clean, assistantId: hex(99) }, ORG_CTX, known), null, 'the assistant is a soft reference');
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'ai_agent_triggers');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['bool-as-string', 'date-as-string', 'missing-optional', 'null-optional', 'number-as-string', 'numeric-width', 'unknown-field', 'user-ref-objectid']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
