// ai_mcp_server_tools: literal documents → literal rows; JSON Schemas kept verbatim as Relaxed
// Extended JSON (messy annotation booleans stay as written); the server reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32 } from 'mongodb';
import { aiMcpServerTools as ds } from '../../app/datasets/record/ai-mcp-server-tools.js';
import { danglingField, hex, namedRow, oid, ORG, ORG_CTX, OTHER_ORG, rejectsField, sweepFixtures } from './datasets-scoped-support.js';

const clean = {
  _id: oid(1),
  mcpServerId: hex(30),
  name: 'run_workflow',
  description: 'run workflow in the current environment',
  inputSchema: {
    type: 'object',
    properties: { environmentId: { type: 'string' }, limit: { type: 'integer', minimum: new Int32(1), maximum: new Int32(100) } },
    required: ['environmentId'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: false, destructiveHint: true },
  enabled: true,
  requiresApproval: true,
  discoveredAt: new Date('2025-01-01T00:00:00.000Z'),
  updatedAt: new Date('2025-02-01T00:00:00.000Z'),
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  mcp_server_id: hex(30),
  name: 'run_workflow',
  description: 'run workflow in the current environment',
  input_schema: '{"type":"object","properties":{"environmentId":{"type":"string"},"limit":{"type":"integer","minimum":1,"maximum":100}},"required":["environmentId"],"additionalProperties":false}',
  annotations: '{"readOnlyHint":false,"destructiveHint":true}',
  enabled: true,
  requires_approval: true,
  discovered_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-02-01T00:00:00.000Z',
  extra: null,
};

test('a clean document maps to one row', () => {
  assert.deepEqual(namedRow(ds, clean, ORG_CTX), cleanRow);
});

test('messy: booleans as strings (in annotations kept as written), dates as strings, unknown field', () => {
  const doc = { ...clean, enabled: 'true', requiresApproval: 'false', annotations: { readOnlyHint: 'false', destructiveHint: 'true' }, discoveredAt: '2025-01-01T00:00:00.000Z', _class: 'x' };
  assert.deepEqual(namedRow(ds, doc, ORG_CTX), {
    ...cleanRow,
    requires_approval: false,
    annotations: '{"readOnlyHint":"false","destructiveHint":"true"}',
    extra: '{"_class":"x"}',
  });
});

test('missing vs null optional fields', () => {
  const { description: _d, annotations: _a, updatedAt: _u, ...missing } = clean;
  assert.deepEqual(namedRow(ds, missing, ORG_CTX), { ...cleanRow, description: null, annotations: null, updated_at: null });
  assert.deepEqual(namedRow(ds, { ...clean, description: null, annotations: null, updatedAt: null }, ORG_CTX), { ...cleanRow, description: null, annotations: 'null', updated_at: null });
});

test('a real JSON Schema\'s "$schema" and "$ref" keys are kept', () => {
  const inputSchema = { $schema: 'https://json-schema.org/draft/2020-12/schema', $ref: '#/$defs/args' };
  assert.equal(namedRow(ds, { ...clean, inputSchema }, ORG_CTX).input_schema, '{"$schema":"https://json-schema.org/draft/2020-12/schema","$ref":"#/$defs/args"}');
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, name: null }, ORG_CTX, 'name');
  rejectsField(ds, { ...clean, requiresApproval: 'no' }, ORG_CTX, 'requiresApproval');
  rejectsField(ds, { ...clean, inputSchema: { 'a\u0000': 1 } }, ORG_CTX, 'inputSchema key');
  rejectsField(ds, { ...clean, mcpServerId: { id: hex(30) } }, ORG_CTX, 'mcpServerId');
});

test('references: the server within the collection organisation', () => {
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG], ai_mcp_server: [`${ORG}/${hex(30)}`] }), null);
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG], ai_mcp_server: [`${OTHER_ORG}/${hex(30)}`] }), 'mcpServerId');
  assert.deepEqual(ds.dependsOn, ['ai_mcp_servers']);
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'ai_mcp_server_tools');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['bool-as-string', 'date-as-string', 'missing-optional', 'null-optional', 'unknown-field']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
