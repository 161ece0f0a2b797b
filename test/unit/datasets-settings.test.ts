import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long, ObjectId } from 'mongodb';
import { settings } from '../../app/datasets/record/settings.js';
import { ENV, ORG, T2, T2_ISO, USER, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000a501';
const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  environmentId: ENV,
  executionRetentionDays: new Int32(90),
  logRetentionDays: new Int32(14),
  artifactRetentionDays: new Int32(7),
  features: { aiAssistant: true, parallelExecutions: true, flakyDetection: false },
  notifications: { slack: { enabled: true, channel: '#qa' }, email: { enabled: false, recipients: ['qa@acme.example'] } },
  updatedAt: T2,
  updatedBy: USER,
});

test('clean environment settings map every field and reference organisation and environment', () => {
  assert.deepEqual(onlyRow(settings, clean()), [
    ID, ORG, ENV, 90, 14, 7, '{"aiAssistant":true,"parallelExecutions":true,"flakyDetection":false}',
    '{"slack":{"enabled":true,"channel":"#qa"},"email":{"enabled":false,"recipients":["qa@acme.example"]}}', T2_ISO, USER, null,
  ]);
  assert.deepEqual(refsOf(settings, clean()), [`organization:${ORG}`, `environment:${ORG}/${ENV}`]);
});

test('organisation settings: environmentId null, or missing in messy documents, is a NULL environment and no reference', () => {
  for (const doc of [{ ...clean(), environmentId: null }, (({ environmentId: _e, ...rest }) => rest)(clean())]) {
    assert.equal(onlyRow(settings, doc)[2], null);
    assert.deepEqual(refsOf(settings, doc), [`organization:${ORG}`]);
  }
});

test('messy settings: retention days as "30", Long or integral Double; feature flags as "true" kept in jsonb', () => {
  const row = onlyRow(settings, { ...clean(), executionRetentionDays: '30', logRetentionDays: Long.fromNumber(7), artifactRetentionDays: new Double(30), features: { aiAssistant: 'true' }, updatedBy: new ObjectId(USER) });
  assert.deepEqual(row.slice(3, 7), [30, 7, 30, '{"aiAssistant":"true"}']);
  assert.equal(row[9], USER);
});

test('optional fields missing or null are NULL (jsonb null kept)', () => {
  const doc = { _id: new ObjectId(ID), organizationId: ORG, environmentId: null, executionRetentionDays: new Int32(30), logRetentionDays: null, features: null };
  assert.deepEqual(onlyRow(settings, doc), [ID, ORG, null, 30, null, null, 'null', null, null, null, null]);
});

test('a retention that is not a whole number in range fails naming the field', () => {
  assert.throws(() => onlyRow(settings, { ...clean(), executionRetentionDays: new Double(30.5) }), transformErrorOn('executionRetentionDays', /whole number/));
  assert.throws(() => onlyRow(settings, { ...clean(), logRetentionDays: 'a month' }), transformErrorOn('logRetentionDays'));
  assert.throws(() => onlyRow(settings, { ...clean(), artifactRetentionDays: Long.fromString('4294967296') }), transformErrorOn('artifactRetentionDays', /32-bit/));
});
