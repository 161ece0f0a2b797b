import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, ObjectId } from 'mongodb';
import { statusPages } from '../../app/datasets/record/status-pages.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000c101';
const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  environmentId: ENV,
  slug: 'acme-production',
  title: 'Acme production status',
  description: 'Live results of our synthetic checks',
  published: true,
  customDomain: 'status.acme.example',
  services: [{ id: 'svc-1', name: 'k6-smoke', testWorkflows: ['k6-smoke'], order: new Int32(0) }],
  theme: { primaryColor: '#1e40af' },
  createdAt: T1,
  updatedAt: T2,
});

test('a clean status page maps every field, provides its id for incidents and references organisation and environment', () => {
  assert.deepEqual(onlyRow(statusPages, clean()), [
    ID, ORG, ENV, 'acme-production', 'Acme production status', 'Live results of our synthetic checks', true, 'status.acme.example',
    '[{"id":"svc-1","name":"k6-smoke","testWorkflows":["k6-smoke"],"order":0}]', '{"primaryColor":"#1e40af"}', T1_ISO, T2_ISO, null,
  ]);
  assert.equal(statusPages.provides?.kind, 'status_page');
  assert.equal(statusPages.provides?.key(clean(), {}), ID);
  assert.deepEqual(refsOf(statusPages, clean()), [`organization:${ORG}`, `environment:${ORG}/${ENV}`]);
});

test('messy page: padded capitalised slug verbatim, published "false", services[].order as string kept', () => {
  const doc = { ...clean(), slug: ' ACME-PRODUCTION', published: 'false', services: [{ id: 'svc-1', order: '0' }], theme: null, customDomain: undefined };
  assert.deepEqual(onlyRow(statusPages, doc).slice(3, 10), [' ACME-PRODUCTION', 'Acme production status', 'Live results of our synthetic checks', false, null, '[{"id":"svc-1","order":"0"}]', 'null']);
});

test('unmappable values fail naming the field: environment and slug are required', () => {
  assert.throws(() => onlyRow(statusPages, { ...clean(), environmentId: null }), transformErrorOn('environmentId', /required/));
  assert.throws(() => onlyRow(statusPages, { ...clean(), slug: undefined }), transformErrorOn('slug', /required/));
  assert.throws(() => onlyRow(statusPages, { ...clean(), published: 'no' }), transformErrorOn('published'));
});
