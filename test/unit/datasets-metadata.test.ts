import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, ObjectId } from 'mongodb';
import { metadata } from '../../app/datasets/record/metadata.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000a601';
const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  environmentId: ENV,
  resourceType: 'testworkflow',
  resourceName: 'k6-smoke',
  key: 'sla-minutes',
  value: new Int32(30),
  createdAt: T1,
  updatedAt: T2,
});

test('a clean metadata entry maps every field and references organisation and environment', () => {
  assert.deepEqual(onlyRow(metadata, clean()), [ID, ORG, ENV, 'testworkflow', 'k6-smoke', 'sla-minutes', '30', T1_ISO, T2_ISO, null]);
  assert.deepEqual(refsOf(metadata, clean()), [`organization:${ORG}`, `environment:${ORG}/${ENV}`]);
});

test('organisation-level entry: environmentId null or missing gives NULL and no environment reference', () => {
  const doc = { ...clean(), environmentId: null, resourceType: 'organization', resourceName: undefined, key: 'links', value: { runbook: 'https://wiki.example/runbook' } };
  assert.deepEqual(onlyRow(metadata, doc), [ID, ORG, null, 'organization', null, 'links', '{"runbook":"https://wiki.example/runbook"}', T1_ISO, T2_ISO, null]);
  assert.deepEqual(refsOf(metadata, doc), [`organization:${ORG}`]);
});

test('messy entry: value number or bool as string kept as found, dates as strings', () => {
  assert.deepEqual(onlyRow(metadata, { ...clean(), value: '30', createdAt: T1_ISO, updatedAt: undefined }).slice(6, 9), ['"30"', T1_ISO, null]);
  assert.equal(onlyRow(metadata, { ...clean(), value: 'true' })[6], '"true"');
  assert.equal(onlyRow(metadata, { ...clean(), value: null })[6], 'null');
});

test('unmappable values fail naming the field', () => {
  assert.throws(() => onlyRow(metadata, { ...clean(), key: undefined }), transformErrorOn('key', /required/));
  assert.throws(() => onlyRow(metadata, { ...clean(), environmentId: 5 }), transformErrorOn('environmentId'));
});
