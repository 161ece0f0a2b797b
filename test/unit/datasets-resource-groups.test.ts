import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId } from 'mongodb';
import { resourceGroups } from '../../app/datasets/record/resource-groups.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, USER, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000f001';
const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  name: 'payments-team-0',
  slug: 'payments-team-0',
  description: 'Resources owned by payments-team-0',
  resources: [{ environmentId: ENV, kind: 'testworkflow', name: 'k6-smoke' }],
  members: [{ userId: USER, role: 'editor' }],
  createdBy: USER,
  createdAt: T1,
  updatedAt: T2,
});

test('a clean resource group maps every field and references its organisation only', () => {
  assert.deepEqual(onlyRow(resourceGroups, clean()), [
    ID, ORG, 'payments-team-0', 'payments-team-0', 'Resources owned by payments-team-0',
    `[{"environmentId":"${ENV}","kind":"testworkflow","name":"k6-smoke"}]`, `[{"userId":"${USER}","role":"editor"}]`, USER, T1_ISO, T2_ISO, null,
  ]);
  assert.deepEqual(refsOf(resourceGroups, clean()), [`organization:${ORG}`]);
});

test('messy group: member user ids as ObjectId stay {"$oid"} in jsonb, createdBy becomes hex, padded slug kept', () => {
  const doc = { ...clean(), members: [{ userId: new ObjectId(USER), role: 'viewer' }], createdBy: new ObjectId(USER), slug: ' PAYMENTS-TEAM-0', updatedAt: T2_ISO };
  const row = onlyRow(resourceGroups, doc);
  assert.deepEqual([row[3], row[6], row[7], row[9]], [' PAYMENTS-TEAM-0', `[{"userId":{"$oid":"${USER}"},"role":"viewer"}]`, USER, T2_ISO]);
});

test('optional fields missing or null: NULL columns, JSON null in jsonb', () => {
  const doc = { _id: new ObjectId(ID), organizationId: ORG, name: 'g', slug: null, resources: [], members: null };
  assert.deepEqual(onlyRow(resourceGroups, doc), [ID, ORG, 'g', null, null, '[]', 'null', null, null, null, null]);
});

test('unmappable values fail naming the field', () => {
  assert.throws(() => onlyRow(resourceGroups, { ...clean(), name: undefined }), transformErrorOn('name'));
  assert.throws(() => onlyRow(resourceGroups, { ...clean(), members: [{ role: 'a\u0000' }] }), transformErrorOn('members[0].role', /NUL/));
  assert.throws(() => onlyRow(resourceGroups, { ...clean(), resources: [{ ['name\u0000']: 'x' }] }), transformErrorOn('resources[0] key', /NUL/));
});
