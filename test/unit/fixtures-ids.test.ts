import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV_PREFIX, ORG_PREFIX, ghostId, objectIdAt, prefixedId } from '../fixtures/ids.js';

test('objectIdAt encodes the creation second and is unique per index', () => {
  const at = new Date('2025-03-01T10:11:12.345Z');
  const id = objectIdAt(1, 'users', 7, at);
  assert.equal(id.getTimestamp().toISOString(), '2025-03-01T10:11:12.000Z');
  assert.equal(id.toHexString(), objectIdAt(1, 'users', 7, at).toHexString());
  const ids = new Set(Array.from({ length: 5000 }, (_, i) => objectIdAt(1, 'users', i, at).toHexString()));
  assert.equal(ids.size, 5000);
  assert.notEqual(objectIdAt(2, 'users', 7, at).toHexString(), id.toHexString());
});

test('prefixed ids look like tkcorg_<16 hex> and never collide within a prefix', () => {
  assert.match(prefixedId(1, ORG_PREFIX, 0), /^tkcorg_[0-9a-f]{16}$/);
  assert.match(prefixedId(1, ENV_PREFIX, 3), /^tkcenv_[0-9a-f]{16}$/);
  const ids = new Set(Array.from({ length: 65536 }, (_, i) => prefixedId(1, ORG_PREFIX, i)));
  assert.equal(ids.size, 65536);
  assert.equal(prefixedId(9, ORG_PREFIX, 4), prefixedId(9, ORG_PREFIX, 4));
});

test('ghost ids are well-formed and name no planned record', () => {
  const ghost = ghostId(1, ORG_PREFIX);
  assert.match(ghost, /^tkcorg_[0-9a-f]{16}$/);
  for (let i = 0; i < 1000; i++) assert.notEqual(prefixedId(1, ORG_PREFIX, i), ghost);
});
