import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, ObjectId } from 'mongodb';
import { views } from '../../app/datasets/record/views.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, USER, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000b101';
const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  environmentId: ENV,
  userId: USER,
  name: 'Failing 1',
  resource: 'executions',
  filters: { labels: { team: 'core' }, status: ['failed'], textSearch: 'k6' },
  sort: { field: 'scheduledAt', order: new Int32(-1) },
  columns: ['name', 'status', 'duration', 'runner'],
  isDefault: true,
  createdAt: T1,
  updatedAt: T2,
});

test('a clean personal view maps every field; references organisation and environment (the user is soft)', () => {
  assert.deepEqual(onlyRow(views, clean()), [
    ID, ORG, ENV, USER, 'Failing 1', 'executions', '{"labels":{"team":"core"},"status":["failed"],"textSearch":"k6"}', '{"field":"scheduledAt","order":-1}',
    '["name","status","duration","runner"]', true, T1_ISO, T2_ISO, null,
  ]);
  assert.deepEqual(refsOf(views, clean()), [`organization:${ORG}`, `environment:${ORG}/${ENV}`]);
});

test('shared view: userId null, or missing in messy documents, is NULL', () => {
  assert.equal(onlyRow(views, { ...clean(), userId: null })[3], null);
  assert.equal(onlyRow(views, (({ userId: _u, ...rest }) => rest)(clean()))[3], null);
});

test('messy view: sort.order as string kept, isDefault "false", userId as ObjectId, sort/columns null', () => {
  const row = onlyRow(views, { ...clean(), sort: { field: 'name', order: '1' }, isDefault: 'false', userId: new ObjectId(USER) });
  assert.deepEqual([row[3], row[7], row[9]], [USER, '{"field":"name","order":"1"}', false]);
  const nulls = onlyRow(views, { ...clean(), sort: null, columns: undefined });
  assert.deepEqual([nulls[7], nulls[8]], ['null', null]);
});

test('unmappable values fail naming the field', () => {
  assert.throws(() => onlyRow(views, { ...clean(), isDefault: 0 }), transformErrorOn('isDefault'));
  assert.throws(() => onlyRow(views, { ...clean(), userId: true }), transformErrorOn('userId'));
});
