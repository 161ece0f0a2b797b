// ai_assistants: literal documents → literal rows, including the legacy shape (systemPrompt and a
// repeated organizationId, which must be the collection's organisation) and messy numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long, ObjectId } from 'mongodb';
import { aiAssistants as ds } from '../../app/datasets/record/ai-assistants.js';
import { danglingField, hex, namedRow, oid, ORG, ORG_CTX, OTHER_ORG, rejectsField, sweepFixtures, USER } from './datasets-scoped-support.js';

const PROMPT = 'You are the test assistant. Explain failing executions.';

const clean = {
  _id: oid(1),
  instructions: PROMPT,
  name: 'Triage assistant 1',
  description: 'Answers questions about test results',
  llmProviderId: hex(20),
  model: 'gpt-4o',
  temperature: new Double(0.2),
  maxTokens: new Int32(4096),
  mcpServerIds: [hex(30), hex(31)],
  enabled: true,
  isDefault: false,
  createdBy: USER,
  createdAt: new Date('2025-03-04T05:06:07.000Z'),
  updatedAt: new Date('2025-03-05T00:00:00.000Z'),
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  name: 'Triage assistant 1',
  description: 'Answers questions about test results',
  instructions: PROMPT,
  llm_provider_id: hex(20),
  model: 'gpt-4o',
  temperature: 0.2,
  max_tokens: 4096,
  mcp_server_ids: `{"${hex(30)}","${hex(31)}"}`,
  enabled: true,
  is_default: false,
  created_by: USER,
  created_at: '2025-03-04T05:06:07.000Z',
  updated_at: '2025-03-05T00:00:00.000Z',
  extra: null,
};

test('a clean document maps to one row', () => {
  assert.deepEqual(namedRow(ds, clean, ORG_CTX), cleanRow);
});

test('messy numbers: temperature as a string, maxTokens as string, Long or integral Double', () => {
  assert.deepEqual(namedRow(ds, { ...clean, temperature: '0.2', maxTokens: '4096' }, ORG_CTX), cleanRow);
  assert.deepEqual(namedRow(ds, { ...clean, maxTokens: Long.fromNumber(4096) }, ORG_CTX), cleanRow);
  assert.deepEqual(namedRow(ds, { ...clean, maxTokens: new Double(4096) }, ORG_CTX), cleanRow);
  assert.deepEqual(namedRow(ds, { ...clean, temperature: 0 }, ORG_CTX), { ...cleanRow, temperature: 0 });
});

test('messy booleans, dates, user reference and unknown fields', () => {
  const doc = { ...clean, enabled: 'false', isDefault: 'true', createdAt: '2025-03-04T05:06:07Z', createdBy: new ObjectId(USER), schemaVersion: new Int32(2) };
  assert.deepEqual(namedRow(ds, doc, ORG_CTX), { ...cleanRow, enabled: false, is_default: true, extra: '{"schemaVersion":2}' });
});

test('legacy shape: systemPrompt is the instructions, a matching organizationId is not kept', () => {
  const { instructions: _i, ...rest } = clean;
  const legacy = { ...rest, organizationId: ORG, systemPrompt: PROMPT };
  assert.deepEqual(namedRow(ds, legacy, ORG_CTX), cleanRow);
  assert.equal(danglingField(ds, legacy, ORG_CTX, { organization: [ORG, OTHER_ORG] }), null);
});

test('legacy fields that are not the column source stay in extra', () => {
  assert.deepEqual(namedRow(ds, { ...clean, systemPrompt: 'old prompt' }, ORG_CTX), { ...cleanRow, extra: '{"systemPrompt":"old prompt"}' });
  assert.deepEqual(namedRow(ds, { ...clean, organizationId: null }, ORG_CTX), { ...cleanRow, extra: '{"organizationId":null}' });
  const otherOrg = namedRow(ds, { ...clean, organizationId: OTHER_ORG }, ORG_CTX);
  assert.equal(otherOrg.extra, `{"organizationId":"${OTHER_ORG}"}`);
});

test('a legacy organizationId naming another organisation is an integrity error, even if that organisation exists', () => {
  assert.equal(danglingField(ds, { ...clean, organizationId: OTHER_ORG }, ORG_CTX, { organization: [ORG, OTHER_ORG] }), 'organizationId');
  rejectsField(ds, { ...clean, organizationId: oid(5) }, ORG_CTX, 'organizationId');
});

test('missing and null optional fields', () => {
  const { description: _d, llmProviderId: _l, maxTokens: _m, updatedAt: _u, ...missing } = clean;
  const empty = { ...cleanRow, description: null, llm_provider_id: null, max_tokens: null, updated_at: null };
  assert.deepEqual(namedRow(ds, missing, ORG_CTX), empty);
  assert.deepEqual(namedRow(ds, { ...clean, description: null, llmProviderId: null, maxTokens: null, updatedAt: null }, ORG_CTX), empty);
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, temperature: '0.12345678901234567890123' }, ORG_CTX, 'temperature');
  rejectsField(ds, { ...clean, temperature: 'warm' }, ORG_CTX, 'temperature');
  rejectsField(ds, { ...clean, maxTokens: new Double(4096.5) }, ORG_CTX, 'maxTokens');
  rejectsField(ds, { ...clean, maxTokens: Long.fromNumber(2 ** 31) }, ORG_CTX, 'maxTokens');
  rejectsField(ds, { ...clean, mcpServerIds: [hex(30), oid(31)] }, ORG_CTX, 'mcpServerIds[1]');
  rejectsField(ds, { ...clean, mcpServerIds: ['x'.repeat(65)] }, ORG_CTX, 'mcpServerIds[0]');
  rejectsField(ds, { ...clean, isDefault: 1 }, ORG_CTX, 'isDefault');
  rejectsField(ds, { ...clean, name: undefined }, ORG_CTX, 'name');
});

test('references: the collection organisation; provider and MCP servers are soft', () => {
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG], ai_mcp_server: [] }), null);
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [] }), '(collection organisation)');
  assert.equal(ds.provides, undefined);
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'ai_assistants');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['bool-as-string', 'date-as-string', 'legacy-shape', 'missing-optional', 'null-optional', 'number-as-string', 'numeric-width', 'unknown-field', 'user-ref-objectid']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
