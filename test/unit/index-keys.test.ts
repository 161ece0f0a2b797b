import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INDEX_KEY_LIMIT_BYTES, oversizedIndexEntry } from '../../app/engine/index-keys.js';

const tables = [{ table: 't', columns: ['id', 'kind', 'ref', 'at'], conflictKey: ['id'] }];
const keys = { t: [{ name: 't_ref_idx', columns: ['kind', 'ref'] }, { name: 't_at_idx', columns: ['at'] }] };

test('a row within the limit passes', () => {
  assert.equal(oversizedIndexEntry([{ table: 't', rows: [['1', 'wf', 'x'.repeat(INDEX_KEY_LIMIT_BYTES - 2), '2025-01-01']] }], tables, keys), null);
});

test('a row whose index entry exceeds the limit is named with its index and size', () => {
  const r = oversizedIndexEntry([{ table: 't', rows: [['1', 'wf', 'x'.repeat(4000), '2025-01-01']] }], tables, keys);
  assert.equal(r?.code, 'INDEX_KEY_TOO_LARGE');
  assert.deepEqual(r?.context, { table: 't', index: 't_ref_idx', bytes: 4002 });
});

test('multi-byte characters are counted in UTF-8 bytes', () => {
  // 1,000 × "€" (3 bytes each) = 3,000 bytes, though only 1,000 UTF-16 units.
  const r = oversizedIndexEntry([{ table: 't', rows: [['1', null, '€'.repeat(1000), null]] }], tables, keys);
  assert.equal(r?.context?.bytes, 3000);
});

test('tables without indexes, and no index information, pass', () => {
  assert.equal(oversizedIndexEntry([{ table: 'u', rows: [['x'.repeat(5000)]] }], tables, keys), null);
  assert.equal(oversizedIndexEntry([{ table: 't', rows: [['1', 'wf', 'x'.repeat(5000), null]] }], tables, undefined), null);
});
