import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, hash32, mulberry32 } from '../fixtures/prng.js';

test('mulberry32 gives the same sequence for the same seed', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const xs = Array.from({ length: 100 }, () => a());
  assert.deepEqual(Array.from({ length: 100 }, () => b()), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('mulberry32 output is pinned (reference values for seed 1), so fixtures do not change silently', () => {
  const next = mulberry32(1);
  assert.deepEqual([next(), next(), next()].map((x) => x.toFixed(10)), ['0.6270739406', '0.0027357212', '0.5274470400']);
});

test('hash32 is stable and separates its parts', () => {
  assert.equal(hash32(1, 'users', 0), hash32(1, 'users', 0));
  assert.notEqual(hash32(1, 'users', 0), hash32(1, 'users', 1));
  assert.notEqual(hash32('ab', 'c'), hash32('a', 'bc'));
});

test('Rng.for gives independent streams per (seed, stream, index)', () => {
  const draw = (r: Rng) => Array.from({ length: 5 }, () => r.int(0, 1_000_000));
  assert.deepEqual(draw(Rng.for(7, 'usage', 3)), draw(Rng.for(7, 'usage', 3)));
  assert.notDeepEqual(draw(Rng.for(7, 'usage', 3)), draw(Rng.for(7, 'usage', 4)));
  assert.notDeepEqual(draw(Rng.for(7, 'usage', 3)), draw(Rng.for(8, 'usage', 3)));
});

test('Rng helpers stay within their bounds', () => {
  const r = Rng.for(1, 'bounds');
  for (let i = 0; i < 1000; i++) {
    const n = r.int(-3, 3);
    assert.ok(Number.isInteger(n) && n >= -3 && n <= 3);
  }
  const from = new Date('2024-01-01T00:00:00Z');
  const to = new Date('2024-01-02T00:00:00Z');
  for (let i = 0; i < 100; i++) {
    const d = r.dateBetween(from, to);
    assert.ok(d >= from && d < to);
  }
  assert.match(r.hex(17), /^[0-9a-f]{17}$/);
  assert.equal(r.bytes(12).length, 12);
  const sample = r.sample([1, 2, 3, 4, 5], 3);
  assert.equal(new Set(sample).size, 3);
  assert.equal(r.sample([1, 2], 5).length, 2);
  assert.throws(() => r.pick([]), RangeError);
});
