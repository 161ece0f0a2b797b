import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long, ObjectId } from 'mongodb';
import { boards } from '../../app/datasets/record/boards.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, USER, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const ID = '66000000000000000000b001';
const widget = (position: Record<string, unknown>) => ({ id: '0a1b2c3d', type: 'pass-rate', title: 'pass rate 1', position, query: { workflowNames: ['k6-smoke'], period: '7d', labels: {} } });
const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  environmentId: ENV,
  name: 'Release board 1',
  description: 'Shared with the release managers',
  widgets: [widget({ x: new Int32(0), y: new Int32(0), w: new Int32(6), h: new Int32(4) })],
  shared: true,
  createdBy: USER,
  createdAt: T1,
  updatedAt: T2,
});

test('a clean board maps every field and references organisation and environment', () => {
  assert.deepEqual(onlyRow(boards, clean()), [
    ID, ORG, ENV, 'Release board 1', 'Shared with the release managers',
    '[{"id":"0a1b2c3d","type":"pass-rate","title":"pass rate 1","position":{"x":0,"y":0,"w":6,"h":4},"query":{"workflowNames":["k6-smoke"],"period":"7d","labels":{}}}]',
    true, USER, T1_ISO, T2_ISO, null,
  ]);
  assert.deepEqual(refsOf(boards, clean()), [`organization:${ORG}`, `environment:${ORG}/${ENV}`]);
});

test('messy board: widget positions as strings, Long or Double kept as found; shared "true"; createdBy ObjectId', () => {
  const doc = { ...clean(), widgets: [widget({ x: '0', y: Long.fromNumber(0), w: new Double(6), h: new Int32(4) })], shared: 'true', createdBy: new ObjectId(USER) };
  const row = onlyRow(boards, doc);
  assert.match(row[5] as string, /"position":\{"x":"0","y":0,"w":6\.0,"h":4\}/);
  assert.deepEqual([row[6], row[7]], [true, USER]);
});

test('optional fields missing or null are NULL', () => {
  const doc = { _id: new ObjectId(ID), organizationId: ORG, environmentId: ENV, name: 'b', description: null, widgets: [] };
  assert.deepEqual(onlyRow(boards, doc), [ID, ORG, ENV, 'b', null, '[]', null, null, null, null, null]);
});

test('unmappable values fail naming the field', () => {
  assert.throws(() => onlyRow(boards, { ...clean(), shared: 'yes' }), transformErrorOn('shared'));
  assert.throws(() => onlyRow(boards, { ...clean(), name: null }), transformErrorOn('name'));
  assert.throws(() => onlyRow(boards, { ...clean(), widgets: [{ title: 'x\u0000' }] }), transformErrorOn('widgets[0].title'));
});
