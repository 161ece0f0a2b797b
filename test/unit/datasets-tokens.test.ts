import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { tokens } from '../../app/datasets/record/tokens.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, USER, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000e001';
const TOKEN = 'tkcapi_0123456789abcdef0123456789abcdef01234567';
const HASH = createHash('sha256').update(TOKEN).digest('hex');

const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  environmentId: ENV,
  userId: USER,
  name: 'ci-0',
  tokenHash: HASH,
  prefix: 'tkcapi_0123',
  role: 'runner',
  scopes: ['executions:run', 'environment:read'],
  expiresAt: T2,
  lastUsedAt: T2,
  createdBy: USER,
  createdAt: T1,
  revokedAt: T2,
});

test('a clean token maps every field; references organisation and environment (users are soft)', () => {
  assert.deepEqual(onlyRow(tokens, clean()), [
    ID, ORG, ENV, USER, 'ci-0', HASH, 'tkcapi_0123', 'runner', '{"executions:run","environment:read"}', T2_ISO, T2_ISO, T2_ISO, USER, T1_ISO, null,
  ]);
  assert.deepEqual(refsOf(tokens, clean()), [`organization:${ORG}`, `environment:${ORG}/${ENV}`]);
  const { environmentId: _e, ...orgWide } = clean();
  assert.deepEqual(refsOf(tokens, orgWide), [`organization:${ORG}`], 'an organisation-wide token has no environment reference');
});

test('legacy token: sha256(token) as lowercase hex and its first 11 characters; the plaintext is stored nowhere', () => {
  const { tokenHash: _h, prefix: _p, ...rest } = clean();
  const row = onlyRow(tokens, { ...rest, token: TOKEN });
  assert.deepEqual([row[5], row[6], row[14]], [HASH, 'tkcapi_0123', null]);
  assert.ok(!JSON.stringify(row).includes(TOKEN));
  assert.ok(!JSON.stringify(onlyRow(tokens, { ...clean(), token: TOKEN })).includes(TOKEN), 'a stray plaintext next to the hash is dropped too');
});

test('messy token: dates as strings, user references as ObjectId, expiresAt missing, role and scopes null', () => {
  const { expiresAt: _x, ...rest } = clean();
  const doc = { ...rest, userId: new ObjectId(USER), createdBy: new ObjectId(USER), createdAt: T1_ISO, role: null, scopes: null, schemaVersion: 2 };
  assert.deepEqual(onlyRow(tokens, doc), [ID, ORG, ENV, USER, 'ci-0', HASH, 'tkcapi_0123', null, null, null, T2_ISO, T2_ISO, USER, T1_ISO, '{"schemaVersion":2}']);
});

test('a token with neither hash nor plaintext fails: it could never authenticate', () => {
  const { tokenHash: _h, ...rest } = clean();
  assert.throws(() => onlyRow(tokens, rest), transformErrorOn('tokenHash', /no legacy token to hash/));
});

test('unmappable values fail naming the field, never quoting the token', () => {
  const { tokenHash: _h, prefix: _p, ...rest } = clean();
  assert.throws(() => onlyRow(tokens, { ...rest, token: { value: TOKEN } }), (err: unknown) => transformErrorOn('token')(err) && !String((err as Error).message).includes(TOKEN));
  assert.throws(() => onlyRow(tokens, { ...clean(), scopes: ['a', 1] }), transformErrorOn('scopes[1]'));
  assert.throws(() => onlyRow(tokens, { ...clean(), environmentId: new ObjectId() }), transformErrorOn('environmentId'));
  assert.throws(() => onlyRow(tokens, { ...clean(), expiresAt: 'never' }), transformErrorOn('expiresAt'));
});
