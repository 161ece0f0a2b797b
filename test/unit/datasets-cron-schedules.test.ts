import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long, ObjectId } from 'mongodb';
import { cronSchedules } from '../../app/datasets/record/cron-schedules.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000d101';
const EXECUTION = '66000000000000000000d1ff';
const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  environmentId: ENV,
  workflowName: 'k6-smoke',
  cron: '*/15 * * * *',
  timezone: 'Europe/Berlin',
  enabled: true,
  nextRunAt: T2,
  lastRunAt: T1,
  lastExecutionId: EXECUTION,
  config: { target: 'https://staging.example.com', vus: '5' },
  consecutiveFailures: new Int32(2),
  createdAt: T1,
  updatedAt: T2,
  revision: Long.fromString('9007199254740993'),
});

test('a clean schedule maps every field (revision as exact bigint text) and references organisation and environment', () => {
  assert.deepEqual(onlyRow(cronSchedules, clean()), [
    ID, ORG, ENV, 'k6-smoke', '*/15 * * * *', 'Europe/Berlin', true, T2_ISO, T1_ISO, EXECUTION, '{"target":"https://staging.example.com","vus":"5"}', 2, '9007199254740993', T1_ISO, T2_ISO, null,
  ]);
  assert.deepEqual(refsOf(cronSchedules, clean()), [`organization:${ORG}`, `environment:${ORG}/${ENV}`]);
});

test('messy schedule: enabled "false", dates as strings, consecutiveFailures as string/Long/Double, nextRunAt missing', () => {
  const { nextRunAt: _n, ...rest } = clean();
  for (const failures of ['2', Long.fromNumber(2), new Double(2)]) {
    const row = onlyRow(cronSchedules, { ...rest, enabled: 'false', lastRunAt: T1_ISO, consecutiveFailures: failures });
    assert.deepEqual([row[6], row[7], row[8], row[11]], [false, null, T1_ISO, 2]);
  }
});

test('optional fields missing or null are NULL; an empty config stays {}', () => {
  const doc = { _id: new ObjectId(ID), organizationId: ORG, environmentId: ENV, workflowName: 'w', cron: '0 3 * * *', nextRunAt: null, config: {}, timezone: null };
  assert.deepEqual(onlyRow(cronSchedules, doc), [ID, ORG, ENV, 'w', '0 3 * * *', null, null, null, null, null, '{}', null, null, null, null, null]);
});

test('unmappable values fail naming the field', () => {
  assert.throws(() => onlyRow(cronSchedules, { ...clean(), workflowName: 'w'.repeat(256) }), transformErrorOn('workflowName', /255/));
  assert.throws(() => onlyRow(cronSchedules, { ...clean(), cron: undefined }), transformErrorOn('cron', /required/));
  assert.throws(() => onlyRow(cronSchedules, { ...clean(), consecutiveFailures: new Double(1.5) }), transformErrorOn('consecutiveFailures'));
  assert.throws(() => onlyRow(cronSchedules, { ...clean(), environmentId: undefined }), transformErrorOn('environmentId', /required/));
});
