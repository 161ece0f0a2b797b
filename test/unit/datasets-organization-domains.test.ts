import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId } from 'mongodb';
import { organizationDomains } from '../../app/datasets/record/organization-domains.js';
import { ORG, T1, T1_ISO, T2, T2_ISO, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000d001';
const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  domain: 'acme.example',
  verified: true,
  verificationMethod: 'dns-txt',
  verificationToken: 'testkube-verification=0123',
  verifiedAt: T2,
  autoJoin: false,
  defaultRole: 'member',
  createdAt: T1,
  updatedAt: T2,
});

test('a clean domain maps every field and references its organisation', () => {
  assert.deepEqual(onlyRow(organizationDomains, clean()), [ID, ORG, 'acme.example', true, 'dns-txt', 'testkube-verification=0123', T2_ISO, false, 'member', T1_ISO, T2_ISO, null]);
  assert.deepEqual(refsOf(organizationDomains, clean()), [`organization:${ORG}`]);
});

test('messy domain: padded and capitalised domain verbatim, booleans and dates as strings', () => {
  const doc = { ...clean(), domain: ' ACME.EXAMPLE', verified: 'false', autoJoin: 'true', verifiedAt: T2_ISO, tmpFlag: true };
  assert.deepEqual(onlyRow(organizationDomains, doc), [ID, ORG, ' ACME.EXAMPLE', false, 'dns-txt', 'testkube-verification=0123', T2_ISO, true, 'member', T1_ISO, T2_ISO, '{"tmpFlag":true}']);
});

test('optional fields missing or null are NULL', () => {
  const doc = { _id: new ObjectId(ID), organizationId: ORG, domain: 'acme.example', verificationMethod: null, defaultRole: null };
  assert.deepEqual(onlyRow(organizationDomains, doc), [ID, ORG, 'acme.example', null, null, null, null, null, null, null, null, null]);
});

test('unmappable values fail naming the field', () => {
  assert.throws(() => onlyRow(organizationDomains, { ...clean(), domain: undefined }), transformErrorOn('domain', /required/));
  assert.throws(() => onlyRow(organizationDomains, { ...clean(), verified: 'maybe' }), transformErrorOn('verified'));
  assert.throws(() => onlyRow(organizationDomains, { ...clean(), _id: ID }), transformErrorOn('_id'));
});
