import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agents } from '../../app/datasets/record/agents.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const AGENT = 'tkcagent_00000000000000c3';
const ENV2 = 'tkcenv_00000000000000b3';
const HASH = 'a'.repeat(64);

const clean = () => ({
  _id: AGENT,
  organizationId: ORG,
  name: 'acme-runner-0',
  type: 'runner',
  environmentIds: [ENV, ENV2],
  labels: { cluster: 'gke-main' },
  namespace: 'testkube',
  version: '2.1.153',
  secretKeyHash: HASH,
  capabilities: ['runner', 'listener'],
  isGlobal: true,
  disabled: false,
  lastSeenAt: T2,
  createdAt: T1,
  updatedAt: T2,
});

test('a clean agent: environment ids and capabilities as PostgreSQL arrays; references its organisation only', () => {
  assert.deepEqual(onlyRow(agents, clean()), [
    AGENT, ORG, 'acme-runner-0', 'runner', `{"${ENV}","${ENV2}"}`, '{"cluster":"gke-main"}', 'testkube', '2.1.153', HASH, '{"runner","listener"}', true, false, T2_ISO, T1_ISO, T2_ISO, null, null,
  ]);
  // environmentIds has no foreign key: an environment that does not exist is kept, not an integrity error.
  assert.deepEqual(refsOf(agents, clean()), [`organization:${ORG}`]);
});

test('legacy agent: the single environmentId becomes a one-element array', () => {
  const { environmentIds: _e, ...rest } = clean();
  assert.equal(onlyRow(agents, { ...rest, environmentId: ENV })[4], `{"${ENV}"}`);
});

test('messy agent: booleans and dates as strings, labels and capabilities null', () => {
  const row = onlyRow(agents, { ...clean(), isGlobal: 'false', disabled: 'true', createdAt: T1_ISO, labels: null, capabilities: null });
  assert.deepEqual([row[5], row[9], row[10], row[11], row[13]], ['null', null, false, true, T1_ISO]);
});

test('no environments: an empty array; an explicit null stays in extra; array elements with quotes are escaped', () => {
  const { environmentIds: _e, ...rest } = clean();
  assert.deepEqual([onlyRow(agents, rest)[4], onlyRow(agents, rest)[16]], ['{}', null]);
  assert.deepEqual([onlyRow(agents, { ...rest, environmentIds: null })[4], onlyRow(agents, { ...rest, environmentIds: null })[16]], ['{}', '{"environmentIds":null}']);
  assert.equal(onlyRow(agents, { ...clean(), environmentIds: [], environmentId: ENV })[16], `{"environmentId":"${ENV}"}`);
  assert.equal(onlyRow(agents, { ...clean(), capabilities: ['a"b', 'c\\d', 'NULL', ''] })[9], '{"a\\"b","c\\\\d","NULL",""}');
});

test('unmappable values fail naming the field', () => {
  assert.throws(() => onlyRow(agents, { ...clean(), environmentIds: [ENV, 7] }), transformErrorOn('environmentIds[1]', /expected a string/));
  assert.throws(() => onlyRow(agents, { ...clean(), environmentIds: ENV }), transformErrorOn('environmentIds', /expected an array/));
  assert.throws(() => onlyRow(agents, { ...clean(), environmentIds: ['x'.repeat(65)] }), transformErrorOn('environmentIds[0]', /64/));
  assert.throws(() => onlyRow(agents, { ...clean(), capabilities: ['a\u0000'] }), transformErrorOn('capabilities[0]', /NUL/));
  assert.throws(() => onlyRow(agents, { ...clean(), name: undefined }), transformErrorOn('name', /required/));
  assert.throws(() => onlyRow(agents, { ...clean(), disabled: 1 }), transformErrorOn('disabled'));
});
