// The stall detector (issue 13, D12) with a hand-driven clock: quiet time in the watched phases
// warns from a quarter of the timeout, once per interval, and gives up at the timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import winston from 'winston';
import { StallWatch } from '../../app/progress/stall-watch.js';
import type { StalledError } from '../../app/errors.js';

function watchWithClock(timeoutMs: number): { watch: StallWatch; clock: { now: number }; stalls: StalledError[] } {
  const clock = { now: 0 };
  const stalls: StalledError[] = [];
  const watch = new StallWatch(undefined, { timeoutMs, warnEveryMs: 1000, logger: winston.createLogger({ silent: true }), onStall: (e) => stalls.push(e), now: () => clock.now });
  return { watch, clock, stalls };
}

test('quiet in the bulk phase: warnings from a quarter of the timeout, once per interval, then STALLED', () => {
  const { watch, clock, stalls } = watchWithClock(20_000);
  watch.phase('bulk');
  assert.equal(watch.check(4_999), 'ok');
  assert.equal(watch.check(5_000), 'warned');
  assert.equal(watch.check(5_500), 'ok');
  assert.equal(watch.check(6_000), 'warned');
  clock.now = 7_000;
  watch.taskProgress('usage_records', { successful: 1, failed: 0, skipped: 0 });
  assert.equal(watch.check(11_999), 'ok');
  assert.equal(watch.check(26_999), 'warned');
  assert.equal(stalls.length, 0);
  assert.equal(watch.check(27_000), 'stalled');
  assert.equal(stalls[0]?.code, 'STALLED');
  assert.equal(stalls[0]?.exitCode, 4);
  assert.match(String(stalls[0]?.message), /^no progress for 20 s in the bulk phase \(CONVERT_STALL_TIMEOUT 20 s\)/);
});

test('phases without progress events (schema, verification) and a timeout of 0 are never stalled', () => {
  const { watch, stalls } = watchWithClock(1_000);
  watch.phase('verify');
  assert.equal(watch.check(1_000_000), 'ok');
  const off = watchWithClock(0);
  off.watch.phase('bulk');
  assert.equal(off.watch.check(1_000_000), 'ok');
  assert.equal(stalls.length + off.stalls.length, 0);
});
