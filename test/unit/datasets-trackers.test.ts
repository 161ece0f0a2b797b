import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, ObjectId } from 'mongodb';
import { trackers } from '../../app/datasets/record/trackers.js';
import { ORG, T1, T1_ISO, T2, T2_ISO, USER, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000c001';
const clean = () => ({
  _id: new ObjectId(ID),
  userId: USER,
  organizationId: ORG,
  kind: 'onboarding',
  key: 'getting-started',
  state: { steps: { createEnvironment: true, connectAgent: false }, dismissed: false },
  count: new Int32(3),
  firstSeenAt: T1,
  lastSeenAt: T2,
  completedAt: T2,
});

test('a clean tracker maps every field; references its organisation when present (the user is soft)', () => {
  assert.deepEqual(onlyRow(trackers, clean()), [ID, USER, ORG, 'onboarding', 'getting-started', '{"steps":{"createEnvironment":true,"connectAgent":false},"dismissed":false}', 3, T1_ISO, T2_ISO, T2_ISO, null]);
  assert.deepEqual(refsOf(trackers, clean()), [`organization:${ORG}`]);
  const { organizationId: _o, ...personal } = clean();
  assert.equal(onlyRow(trackers, personal)[2], null);
  assert.deepEqual(refsOf(trackers, personal), []);
});

test('messy tracker: steps as "true" kept, count as string, userId as ObjectId, dates as strings', () => {
  const doc = { ...clean(), state: { steps: { createEnvironment: 'true' }, dismissed: 'false' }, count: '12', userId: new ObjectId(USER), firstSeenAt: T1_ISO, lastSeenAt: null };
  assert.deepEqual(onlyRow(trackers, doc), [ID, USER, ORG, 'onboarding', 'getting-started', '{"steps":{"createEnvironment":"true"},"dismissed":"false"}', 12, T1_ISO, null, T2_ISO, null]);
});

test('user_id is required; other values that cannot be mapped fail naming the field', () => {
  assert.throws(() => onlyRow(trackers, { ...clean(), userId: null }), transformErrorOn('userId', /required/));
  assert.throws(() => onlyRow(trackers, { ...clean(), count: 'many' }), transformErrorOn('count'));
  assert.throws(() => onlyRow(trackers, { ...clean(), count: 2.5 }), transformErrorOn('count', /whole number/));
});
