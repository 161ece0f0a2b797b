import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, ObjectId } from 'mongodb';
import { users } from '../../app/datasets/record/users.js';
import { T1, T1_ISO, T2, T2_ISO, USER, onlyRow, transformErrorOn } from './datasets-support.js';

const clean = () => ({
  _id: new ObjectId(USER),
  email: 'ada.lovelace.0@example.com',
  name: 'Ada Lovelace',
  avatarUrl: 'https://avatars.example/u/1.png',
  authProvider: 'github',
  externalId: 'github|4242',
  emailVerified: true,
  isSuperAdmin: true,
  preferences: { theme: 'dark', timezone: 'UTC', notifications: { email: true, slack: false } },
  lastLoginAt: T2,
  createdAt: T1,
  updatedAt: T2,
  deletedAt: T2,
});

test('a clean user maps every field to its column', () => {
  assert.deepEqual(onlyRow(users, clean()), [
    USER, 'ada.lovelace.0@example.com', 'Ada Lovelace', 'https://avatars.example/u/1.png', 'github', 'github|4242', true, true,
    '{"theme":"dark","timezone":"UTC","notifications":{"email":true,"slack":false}}', T2_ISO, T1_ISO, T2_ISO, T2_ISO, null,
  ]);
  assert.equal(users.idOf(clean()), USER);
  assert.deepEqual(users.provides?.key(clean(), {}), USER);
  assert.equal(users.provides?.kind, 'user');
  assert.equal(users.references, undefined, 'a user references nothing');
});

test('messy user: untrimmed email kept verbatim, booleans and dates as strings parsed, nested "true" kept as found', () => {
  const doc = { ...clean(), email: ' ADA.LOVELACE.0@EXAMPLE.COM', emailVerified: 'true', isSuperAdmin: 'false', createdAt: T1_ISO, preferences: { notifications: { email: 'true' } } };
  const row = onlyRow(users, doc);
  assert.deepEqual([row[1], row[6], row[7], row[8], row[10]], [' ADA.LOVELACE.0@EXAMPLE.COM', true, false, '{"notifications":{"email":"true"}}', T1_ISO]);
});

test('legacy user: firstName + lastName become name, and both parts stay in extra', () => {
  const { name: _name, ...rest } = clean();
  const row = onlyRow(users, { ...rest, firstName: 'Ada', lastName: 'Lovelace' });
  assert.equal(row[2], 'Ada Lovelace');
  assert.equal(row[13], '{"firstName":"Ada","lastName":"Lovelace"}');
  const single = onlyRow(users, { ...rest, firstName: 'Ada', lastName: '' });
  assert.equal(single[2], 'Ada', 'an empty part adds no trailing space');
});

test('optional fields missing or null are NULL; preferences keeps an explicit null as JSON null', () => {
  const minimal = { _id: new ObjectId(USER), email: 'a@example.com', emailVerified: false, createdAt: T1 };
  assert.deepEqual(onlyRow(users, minimal), [USER, 'a@example.com', null, null, null, null, false, null, null, null, T1_ISO, null, null, null]);
  const nulls = { ...minimal, name: null, avatarUrl: null, authProvider: null, preferences: null, updatedAt: null };
  assert.deepEqual(onlyRow(users, nulls), [USER, 'a@example.com', null, null, null, null, false, null, 'null', null, T1_ISO, null, null, null]);
});

test('unknown fields go to extra with their BSON types', () => {
  const row = onlyRow(users, { ...clean(), _class: 'io.testkube.cloud.model.Legacy', notes: { importedBy: 'backfill-2024-05', attempt: new Int32(2) } });
  assert.equal(row[13], '{"_class":"io.testkube.cloud.model.Legacy","notes":{"importedBy":"backfill-2024-05","attempt":2}}');
});

test('values that cannot be stored faithfully fail the record naming the field', () => {
  assert.throws(() => onlyRow(users, { ...clean(), name: 'Nul\u0000Byte' }), transformErrorOn('name', /NUL/));
  assert.throws(() => onlyRow(users, { ...clean(), email: undefined }), transformErrorOn('email', /required/));
  assert.throws(() => onlyRow(users, { ...clean(), emailVerified: 'yes' }), transformErrorOn('emailVerified'));
  assert.throws(() => onlyRow(users, { ...clean(), createdAt: 'last tuesday' }), transformErrorOn('createdAt'));
  assert.throws(() => onlyRow(users, { ...clean(), _id: USER }), transformErrorOn('_id', /expected an ObjectId, got string/));
  assert.throws(() => onlyRow(users, { ...clean(), preferences: { ['k\u0000']: 1 } }), transformErrorOn('preferences key', /NUL/));
});
