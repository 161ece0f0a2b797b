import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { invites } from '../../app/datasets/record/invites.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, USER, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000a001';
const TOKEN = 'tkcinv_0123456789abcdef0123456789abcdef';
const HASH = createHash('sha256').update(TOKEN).digest('hex');

const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  email: 'invitee.0@acme.example',
  role: 'member',
  environments: [{ environmentId: ENV, role: 'run' }],
  invitedBy: USER,
  tokenHash: HASH,
  status: 'accepted',
  expiresAt: T2,
  acceptedAt: T2,
  createdAt: T1,
});

test('a clean invite maps every field; references its organisation (inviter is soft)', () => {
  assert.deepEqual(onlyRow(invites, clean()), [
    ID, ORG, 'invitee.0@acme.example', 'member', `[{"environmentId":"${ENV}","role":"run"}]`, USER, HASH, 'accepted', T2_ISO, T2_ISO, T1_ISO, null,
  ]);
  assert.deepEqual(refsOf(invites, clean()), [`organization:${ORG}`]);
});

test('legacy invite: the plaintext token is hashed and stored nowhere', () => {
  const { tokenHash: _h, ...rest } = clean();
  const row = onlyRow(invites, { ...rest, token: TOKEN });
  assert.equal(row[6], HASH);
  assert.ok(!JSON.stringify(row).includes(TOKEN));
  const both = onlyRow(invites, { ...clean(), token: TOKEN });
  assert.ok(!JSON.stringify(both).includes(TOKEN), 'a stray plaintext next to the hash is dropped, never kept in extra');
});

test('messy invite: padded email verbatim, dates as strings, inviter as ObjectId, environments null', () => {
  const doc = { ...clean(), email: ' INVITEE.0@ACME.EXAMPLE', expiresAt: T2_ISO, invitedBy: new ObjectId(USER), environments: null };
  assert.deepEqual(onlyRow(invites, doc), [ID, ORG, ' INVITEE.0@ACME.EXAMPLE', 'member', 'null', USER, HASH, 'accepted', T2_ISO, T2_ISO, T1_ISO, null]);
});

test('missing optional fields are NULL, also a missing token hash (the column is nullable)', () => {
  assert.deepEqual(onlyRow(invites, { _id: new ObjectId(ID), organizationId: ORG, email: 'a@b.example' }), [ID, ORG, 'a@b.example', null, null, null, null, null, null, null, null, null]);
});

test('unmappable values fail naming the field, never quoting a token', () => {
  const { tokenHash: _h, ...rest } = clean();
  assert.throws(() => onlyRow(invites, { ...rest, token: 12345 }), transformErrorOn('token', /expected a string, got number$/));
  assert.throws(() => onlyRow(invites, { ...clean(), email: null }), transformErrorOn('email', /required/));
  assert.throws(() => onlyRow(invites, { ...clean(), acceptedAt: 'never' }), transformErrorOn('acceptedAt'));
  assert.throws(() => onlyRow(invites, { ...clean(), invitedBy: 1 }), transformErrorOn('invitedBy'));
});
