// ai_mcp_servers: literal documents → literal rows; provides organisation-qualified keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId } from 'mongodb';
import { aiMcpServers as ds } from '../../app/datasets/record/ai-mcp-servers.js';
import { danglingField, hex, namedRow, oid, ORG, ORG_CTX, rejectsField, sweepFixtures, USER } from './datasets-scoped-support.js';

const clean = {
  _id: oid(1),
  name: 'github-1',
  url: 'https://mcp-1.example.com/mcp',
  transport: 'streamable-http',
  authType: 'bearer',
  headers: { 'X-Org': 'acme', Authorization: 'Bearer {{credential "github-token"}}' },
  builtin: false,
  enabled: true,
  createdBy: USER,
  createdAt: new Date('2025-01-01T00:00:00.000Z'),
  updatedAt: new Date('2025-01-02T00:00:00.000Z'),
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  name: 'github-1',
  url: 'https://mcp-1.example.com/mcp',
  transport: 'streamable-http',
  auth_type: 'bearer',
  headers: '{"X-Org":"acme","Authorization":"Bearer {{credential \\"github-token\\"}}"}',
  builtin: false,
  enabled: true,
  created_by: USER,
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-01-02T00:00:00.000Z',
  extra: null,
};

test('a clean document maps to one row; header placeholders are copied as they are', () => {
  assert.deepEqual(namedRow(ds, clean, ORG_CTX), cleanRow);
});

test('messy: booleans and dates as strings, ObjectId user reference, unknown field', () => {
  const doc = { ...clean, builtin: 'true', enabled: 'false', updatedAt: '2025-01-02T00:00:00.000Z', createdBy: new ObjectId(USER), migratedFrom: 'v1' };
  assert.deepEqual(namedRow(ds, doc, ORG_CTX), { ...cleanRow, builtin: true, enabled: false, extra: '{"migratedFrom":"v1"}' });
});

test('headers: missing → NULL, null → JSON null, {} kept', () => {
  const { headers: _h, updatedAt: _u, ...missing } = clean;
  assert.deepEqual(namedRow(ds, missing, ORG_CTX), { ...cleanRow, headers: null, updated_at: null });
  assert.deepEqual(namedRow(ds, { ...clean, headers: null, updatedAt: null }, ORG_CTX), { ...cleanRow, headers: 'null', updated_at: null });
  assert.equal(namedRow(ds, { ...clean, headers: {} }, ORG_CTX).headers, '{}');
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, builtin: 'maybe' }, ORG_CTX, 'builtin');
  rejectsField(ds, { ...clean, url: ['https://a'] }, ORG_CTX, 'url');
  rejectsField(ds, { ...clean, createdAt: 'yesterday' }, ORG_CTX, 'createdAt');
  rejectsField(ds, { ...clean, headers: { 'X-A': 'a\u0000' } }, ORG_CTX, 'headers.X-A');
  rejectsField(ds, { ...clean, createdBy: 42.5 }, ORG_CTX, 'createdBy');
});

test('provides ai_mcp_server keys qualified by organisation; references the organisation', () => {
  assert.equal(ds.provides?.kind, 'ai_mcp_server');
  assert.equal(ds.provides?.key(clean, ORG_CTX), `${ORG}/${hex(1)}`);
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG] }), null);
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [] }), '(collection organisation)');
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'ai_mcp_servers');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['bool-as-string', 'date-as-string', 'missing-optional', 'null-optional', 'unknown-field', 'user-ref-objectid']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
