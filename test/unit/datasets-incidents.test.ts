import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId } from 'mongodb';
import { incidents } from '../../app/datasets/record/incidents.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, USER, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000c201';
const PAGE = '66000000000000000000c101';
const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  environmentId: ENV,
  statusPageId: PAGE,
  title: 'Checkout latency',
  severity: 'major',
  status: 'resolved',
  affectedServiceIds: ['svc-1', 'svc-2'],
  updates: [{ status: 'investigating', message: 'looking into it', createdAt: T1, createdBy: USER }],
  startedAt: T1,
  resolvedAt: T2,
  createdBy: USER,
  createdAt: T1,
  updatedAt: T2,
});

test('a clean incident maps every field; references organisation, environment and its status page', () => {
  assert.deepEqual(onlyRow(incidents, clean()), [
    ID, ORG, ENV, PAGE, 'Checkout latency', 'major', 'resolved', '{"svc-1","svc-2"}',
    `[{"status":"investigating","message":"looking into it","createdAt":{"$date":"${T1_ISO}"},"createdBy":"${USER}"}]`,
    T1_ISO, T2_ISO, USER, T1_ISO, T2_ISO, null,
  ]);
  assert.deepEqual(refsOf(incidents, clean()), [`organization:${ORG}`, `environment:${ORG}/${ENV}`, `status_page:${PAGE}`]);
});

test('messy incident: update dates as strings and user references as ObjectId kept as found in jsonb; resolvedAt missing', () => {
  const { resolvedAt: _r, ...open } = clean();
  const doc = { ...open, updates: [{ status: 'identified', createdAt: T2_ISO, createdBy: new ObjectId(USER) }], startedAt: T1_ISO, createdBy: new ObjectId(USER), statusPageId: new ObjectId(PAGE) };
  const row = onlyRow(incidents, doc);
  assert.deepEqual([row[3], row[8], row[9], row[10], row[11]], [PAGE, `[{"status":"identified","createdAt":"${T2_ISO}","createdBy":{"$oid":"${USER}"}}]`, T1_ISO, null, USER]);
  assert.deepEqual(refsOf(incidents, doc).at(-1), `status_page:${PAGE}`, 'an ObjectId page reference resolves like its hex');
});

test('unmappable values fail naming the field', () => {
  assert.throws(() => onlyRow(incidents, { ...clean(), statusPageId: undefined }), transformErrorOn('statusPageId', /required/));
  assert.throws(() => onlyRow(incidents, { ...clean(), affectedServiceIds: [1] }), transformErrorOn('affectedServiceIds[0]'));
  assert.throws(() => onlyRow(incidents, { ...clean(), resolvedAt: 'soon' }), transformErrorOn('resolvedAt'));
});
