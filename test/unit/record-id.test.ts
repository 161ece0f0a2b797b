import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal128, Int32, Long, ObjectId } from 'mongodb';
import { parseRecordIdText, recordIdText } from '../../app/source/record-id.js';

// Expected texts written from the Extended JSON v2 specification, canonical mode.
test('record ids: ObjectId hex, string itself, everything else canonical Extended JSON', () => {
  assert.equal(recordIdText(new ObjectId('660000000000000000000001')), '660000000000000000000001');
  assert.equal(recordIdText('tkcorg_a'), 'tkcorg_a');
  assert.equal(recordIdText(new Date(Date.UTC(2030, 0, 1))), '{"$date":{"$numberLong":"1893456000000"}}');
  assert.equal(recordIdText(new Int32(7)), '{"$numberInt":"7"}');
  assert.equal(recordIdText(7.5), '{"$numberDouble":"7.5"}');
  assert.equal(recordIdText(Long.fromString('9007199254740993')), '{"$numberLong":"9007199254740993"}');
  assert.equal(recordIdText(Decimal128.fromString('1.10')), '{"$numberDecimal":"1.10"}');
  assert.equal(recordIdText(true), 'true');
  assert.equal(recordIdText({ a: new Int32(1) }), '{"a":{"$numberInt":"1"}}');
});

test('the id text does not depend on TZ', () => {
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'Asia/Kolkata';
    assert.equal(recordIdText(new Date(Date.UTC(2030, 0, 1))), '{"$date":{"$numberLong":"1893456000000"}}');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('Extended JSON ids parse back to their value; plain strings do not parse', () => {
  assert.deepEqual(parseRecordIdText('{"$date":{"$numberLong":"1893456000000"}}'), new Date(Date.UTC(2030, 0, 1)));
  assert.equal(parseRecordIdText('true'), true);
  assert.equal(parseRecordIdText('tkcorg_a'), undefined);
  assert.equal(parseRecordIdText('660000000000000000000001'), undefined);
});
