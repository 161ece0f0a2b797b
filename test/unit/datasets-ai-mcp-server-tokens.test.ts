// ai_mcp_server_tokens: only hashes are stored; a plaintext token is hashed, never copied and
// never quoted; the server reference resolves within the collection's organisation only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { aiMcpServerTokens as ds } from '../../app/datasets/record/ai-mcp-server-tokens.js';
import { danglingField, hex, namedRow, oid, ORG, ORG_CTX, OTHER_ORG, rejectsField, sweepFixtures, USER } from './datasets-scoped-support.js';

const TOKEN = 'tkcmcp_0123456789abcdef0123456789abcdef01234567';
const HASH = createHash('sha256').update(TOKEN).digest('hex');

const clean = {
  _id: oid(1),
  mcpServerId: hex(30),
  name: 'cursor-0',
  tokenHash: HASH,
  prefix: 'tkcmcp_0123',
  scopes: ['tools:read', 'tools:call'],
  expiresAt: new Date('2025-07-01T00:00:00.000Z'),
  lastUsedAt: new Date('2025-05-01T12:00:00.000Z'),
  createdBy: USER,
  createdAt: new Date('2025-01-01T00:00:00.000Z'),
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  mcp_server_id: hex(30),
  name: 'cursor-0',
  token_hash: HASH,
  token_prefix: 'tkcmcp_0123',
  scopes: '{"tools:read","tools:call"}',
  expires_at: '2025-07-01T00:00:00.000Z',
  last_used_at: '2025-05-01T12:00:00.000Z',
  created_by: USER,
  created_at: '2025-01-01T00:00:00.000Z',
  extra: null,
};

test('a clean document maps to one row', () => {
  assert.deepEqual(namedRow(ds, clean, ORG_CTX), cleanRow);
});

test('messy: expiresAt null or missing, dates as strings, ObjectId user, unknown field', () => {
  const { expiresAt: _e, scopes: _s, lastUsedAt: _l, ...missing } = clean;
  assert.deepEqual(namedRow(ds, missing, ORG_CTX), { ...cleanRow, expires_at: null, scopes: null, last_used_at: null });
  const doc = { ...clean, expiresAt: null, scopes: null, createdAt: '2025-01-01T00:00:00Z', createdBy: new ObjectId(USER), tmpFlag: true };
  assert.deepEqual(namedRow(ds, doc, ORG_CTX), { ...cleanRow, expires_at: null, scopes: null, extra: '{"tmpFlag":true}' });
});

test('a plaintext token is stored only as its hash and prefix, never in extra', () => {
  const { tokenHash: _h, prefix: _p, ...rest } = clean;
  assert.deepEqual(namedRow(ds, { ...rest, token: TOKEN }, ORG_CTX), cleanRow);
  assert.deepEqual(namedRow(ds, { ...clean, token: TOKEN }, ORG_CTX), cleanRow);
});

test('a plaintext token that contradicts the stored hash fails without quoting either', () => {
  const err = rejectsField(ds, { ...clean, token: `${TOKEN}x` }, ORG_CTX, 'tokenHash');
  assert.ok(!err.message.includes(TOKEN) && !err.message.includes(HASH), err.message);
  rejectsField(ds, { ...clean, token: 42 }, ORG_CTX, 'token');
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  const { tokenHash: _h, ...noHash } = clean;
  rejectsField(ds, noHash, ORG_CTX, 'tokenHash');
  rejectsField(ds, { ...clean, mcpServerId: null }, ORG_CTX, 'mcpServerId');
  rejectsField(ds, { ...clean, scopes: 'tools:read' }, ORG_CTX, 'scopes');
  rejectsField(ds, { ...clean, expiresAt: 1735689600000 }, ORG_CTX, 'expiresAt');
});

test('references: the server must be one of this organisation\'s migrated servers', () => {
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG], ai_mcp_server: [`${ORG}/${hex(30)}`] }), null);
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG], ai_mcp_server: [`${OTHER_ORG}/${hex(30)}`] }), 'mcpServerId');
  assert.equal(danglingField(ds, { ...clean, mcpServerId: oid(30) }, ORG_CTX, { organization: [ORG], ai_mcp_server: [`${ORG}/${hex(30)}`] }), null);
  assert.deepEqual(ds.dependsOn, ['ai_mcp_servers']);
  assert.equal(ds.provides, undefined);
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'ai_mcp_server_tokens');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['date-as-string', 'missing-optional', 'null-optional', 'unknown-field', 'user-ref-objectid']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
