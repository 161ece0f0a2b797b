import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MovingRate, etaSeconds, formatSeconds } from '../../app/progress/rate.js';

test('rate before a full second of samples is the average since the task started', () => {
  const rate = new MovingRate(0);
  rate.add(0, 0);
  rate.add(500, 100);
  assert.equal(rate.perSecond(500), 200);
});

test('rate follows the last minute, not the slow start', () => {
  const rate = new MovingRate(0);
  rate.add(0, 0);
  // A slow first two minutes: 10 records/s.
  for (let t = 1; t <= 120; t++) rate.add(t * 1000, t * 10);
  // Then 1000 records/s for a minute.
  for (let t = 1; t <= 60; t++) rate.add(120_000 + t * 1000, 1200 + t * 1000);
  assert.equal(Math.round(rate.perSecond(180_000)), 1000);
});

test('samples closer than 250 ms are merged into one', () => {
  const rate = new MovingRate(0);
  rate.add(0, 0);
  rate.add(1000, 100);
  rate.add(1100, 150);
  assert.equal(rate.perSecond(1100), 150);
});

test('a stalled task has rate zero and no ETA once the window has passed', () => {
  const rate = new MovingRate(0, 10_000);
  rate.add(0, 0);
  rate.add(1000, 500);
  for (let t = 2; t <= 30; t++) rate.add(t * 1000, 500);
  assert.equal(rate.perSecond(30_000), 0);
  assert.equal(etaSeconds(100, 0), null);
});

test('ETA is the remainder over the rate, rounded up; zero when nothing remains', () => {
  assert.equal(etaSeconds(1000, 300), 4);
  assert.equal(etaSeconds(0, 0), 0);
});

test('durations read like Go durations', () => {
  assert.equal(formatSeconds(42), '42s');
  assert.equal(formatSeconds(125), '2m5s');
  assert.equal(formatSeconds(3725), '1h2m5s');
  assert.equal(formatSeconds(null), 'unknown');
});

test('no samples at all for a while (a frozen source, issue 13 D12): the rate falls to 0 and the ETA grows', () => {
  const rate = new MovingRate(0, 10_000);
  rate.add(0, 0);
  for (let t = 1; t <= 10; t++) rate.add(t * 1000, t * 100);
  assert.equal(rate.perSecond(10_000), 100);
  // Nothing more arrives: 5 s later the window holds 500 records over 10 s.
  assert.equal(rate.perSecond(15_000), 50);
  assert.ok((etaSeconds(1000, rate.perSecond(15_000)) as number) > (etaSeconds(1000, rate.perSecond(10_000)) as number));
  // A whole window without a sample: rate 0, ETA unknown.
  assert.equal(rate.perSecond(21_000), 0);
  assert.equal(etaSeconds(1000, rate.perSecond(21_000)), null);
});
