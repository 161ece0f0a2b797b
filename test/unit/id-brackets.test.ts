import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId } from 'mongodb';
import { ID_BRACKETS, idCondition, isWholeBracket, otherBracket, withIdCondition } from '../../app/engine/id-brackets.js';

test('a bracket names its $type and bounds of that type', () => {
  const lo = new ObjectId('660000000000000000000001');
  const hi = new ObjectId('660000000000000000000009');
  assert.deepEqual(idCondition('objectId', lo, hi), { $type: 'objectId', $gt: lo, $lte: hi });
  assert.deepEqual(idCondition('date', undefined, undefined), { $type: 'date' });
  assert.deepEqual(idCondition('number', 3, undefined), { $type: 'number', $gt: 3 });
});

test('the catch-all bracket excludes the planned types and ignores bounds', () => {
  const other = otherBracket(['objectId', 'string']);
  assert.ok(isWholeBracket(other));
  assert.ok(!isWholeBracket('objectId'));
  assert.deepEqual(idCondition(other, 'a', 'b'), { $not: { $type: ['objectId', 'string'] } });
  assert.deepEqual(idCondition(otherBracket([]), undefined, undefined), { $exists: true });
});

test('brackets follow the BSON comparison order', () => {
  assert.deepEqual([...ID_BRACKETS], ['null', 'number', 'string', 'object', 'array', 'binData', 'objectId', 'bool', 'date', 'timestamp', 'regex']);
});

test('a data set filter and an _id condition combine with $and', () => {
  assert.deepEqual(withIdCondition({}, { $type: 'string' }), { _id: { $type: 'string' } });
  assert.deepEqual(withIdCondition({ a: 1 }, { $type: 'string' }), { $and: [{ a: 1 }, { _id: { $type: 'string' } }] });
});
