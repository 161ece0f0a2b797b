import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, Long, ObjectId } from 'mongodb';
import { config } from '../../app/datasets/record/config.js';
import { T1, T1_ISO, USER, onlyRow, transformErrorOn } from './datasets-support.js';

test('a clean config entry: the key is the id, value as Relaxed Extended JSON; no organisation, no references', () => {
  const doc = { _id: 'smtp', value: { host: 'smtp.example.com', port: new Int32(587), tls: true }, description: 'Installation setting smtp', updatedAt: T1, updatedBy: USER };
  assert.deepEqual(onlyRow(config, doc), ['smtp', '{"host":"smtp.example.com","port":587,"tls":true}', 'Installation setting smtp', T1_ISO, USER, null]);
  assert.equal(config.references, undefined);
  assert.equal(config.idOf(doc), 'smtp');
});

test('value of every type: bool, string, Long (beyond 2^53 as $numberLong), array, dates as $date, explicit null', () => {
  const row = (value: unknown) => onlyRow(config, { _id: 'k', value, updatedAt: T1 })[1];
  assert.equal(row(false), 'false');
  assert.equal(row('Scheduled maintenance'), '"Scheduled maintenance"');
  assert.equal(row(Long.fromNumber(42)), '42');
  assert.equal(row(Long.fromString('9223372036854775807')), '{"$numberLong":"9223372036854775807"}');
  assert.equal(row(['example.com', 'example.org']), '["example.com","example.org"]');
  assert.equal(row({ expiresAt: T1 }), `{"expiresAt":{"$date":"${T1_ISO}"}}`);
  assert.equal(row(null), 'null', 'an explicit null value is JSON null');
  assert.equal(onlyRow(config, { _id: 'k', updatedAt: T1 })[1], null, 'a missing value is SQL NULL');
});

test('messy config: value parts as strings kept as found, dates as strings, updatedBy as ObjectId, unknown fields', () => {
  const doc = { _id: 'license', value: { seats: '500', offline: 'false' }, updatedAt: T1_ISO, updatedBy: new ObjectId(USER), description: null, migratedFrom: 'v1' };
  assert.deepEqual(onlyRow(config, doc), ['license', '{"seats":"500","offline":"false"}', null, T1_ISO, USER, '{"migratedFrom":"v1"}']);
});

test('unmappable values fail naming the field', () => {
  assert.throws(() => onlyRow(config, { _id: new ObjectId(), value: 1 }), transformErrorOn('_id', /expected a string id/));
  assert.throws(() => onlyRow(config, { _id: 'k', value: 'a\u0000b' }), transformErrorOn('value', /NUL/));
  assert.throws(() => onlyRow(config, { _id: 'k', updatedAt: 'tomorrow' }), transformErrorOn('updatedAt'));
});
