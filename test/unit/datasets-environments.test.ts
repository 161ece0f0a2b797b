import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId } from 'mongodb';
import { environments } from '../../app/datasets/record/environments.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const clean = () => ({
  _id: ENV,
  name: 'production',
  slug: 'production',
  organizationId: ORG,
  description: 'production cluster',
  namespace: 'testkube',
  cloudStorage: true,
  newArchitecture: false,
  labels: { tier: 'critical', region: 'eu-west-1' },
  createdAt: T1,
  updatedAt: T2,
  deletedAt: T2,
});

test('a clean environment maps every field; it provides <org>/<env> and references its organisation', () => {
  assert.deepEqual(onlyRow(environments, clean()), [
    ENV, ORG, 'production', 'production', 'production cluster', 'testkube', true, false, '{"tier":"critical","region":"eu-west-1"}', T1_ISO, T2_ISO, T2_ISO, null,
  ]);
  assert.equal(environments.provides?.kind, 'environment');
  assert.equal(environments.provides?.key(clean(), {}), `${ORG}/${ENV}`);
  assert.deepEqual(refsOf(environments, clean()), [`organization:${ORG}`]);
});

test('messy environment: booleans and dates as strings, padded slug kept, labels null kept as JSON null', () => {
  const doc = { ...clean(), cloudStorage: 'false', newArchitecture: 'true', createdAt: T1_ISO, slug: 'Production ', labels: null, migratedFrom: 'v1' };
  assert.deepEqual(onlyRow(environments, doc), [ENV, ORG, 'production', 'Production ', 'production cluster', 'testkube', false, true, 'null', T1_ISO, T2_ISO, T2_ISO, '{"migratedFrom":"v1"}']);
});

test('missing optional fields are NULL', () => {
  assert.deepEqual(onlyRow(environments, { _id: ENV, name: 'dev', organizationId: ORG }), [ENV, ORG, 'dev', null, null, null, null, null, null, null, null, null, null]);
});

test('unmappable values fail naming the field', () => {
  assert.throws(() => onlyRow(environments, { ...clean(), organizationId: undefined }), transformErrorOn('organizationId', /required/));
  assert.throws(() => onlyRow(environments, { ...clean(), organizationId: new ObjectId() }), transformErrorOn('organizationId', /expected a string id/));
  assert.throws(() => onlyRow(environments, { ...clean(), organizationId: 'x'.repeat(65) }), transformErrorOn('organizationId', /longer than the column's 64/));
  assert.throws(() => onlyRow(environments, { ...clean(), cloudStorage: 'yes' }), transformErrorOn('cloudStorage'));
  assert.throws(() => onlyRow(environments, { ...clean(), _id: new ObjectId() }), transformErrorOn('_id'));
  assert.throws(() => onlyRow(environments, { ...clean(), createdAt: new Date(Date.UTC(-5000, 0, 1)) }), transformErrorOn('createdAt', /4713 BC/));
});
