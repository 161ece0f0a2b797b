import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attemptText, giveUpBy, retry } from '../../app/util/retry.js';

test('giveUpBy: every attempt left takes at most a delay and its timeout (issue 16)', () => {
  // 120 attempts, 1 s apart, 5 s each: after attempt 1 fails at t=0, 119 × 6 s = 714 s remain.
  assert.equal(giveUpBy(0, 1, { attempts: 120, delayMs: 1000, timeoutMs: 5000 }).getTime(), 714_000);
  assert.equal(giveUpBy(0, 120, { attempts: 120, delayMs: 1000, timeoutMs: 5000 }).getTime(), 0);
  assert.equal(attemptText(3, 120, new Date('2026-12-02T14:52:07.456Z')), 'attempt 3 of 120, giving up by 14:52:07Z at the latest');
});

test('retry: the heartbeat beats during a long attempt, with its number, and stops afterwards', async () => {
  const beats: number[] = [];
  let calls = 0;
  const result = await retry(
    async (attempt) => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (attempt === 1) throw new Error('not yet');
      return 'ok';
    },
    { attempts: 2, delayMs: 10, heartbeat: { everyMs: 100, beat: (attempt) => beats.push(attempt) } },
  );
  assert.equal(result, 'ok');
  assert.equal(calls, 2);
  assert.ok(beats.includes(1) && beats.includes(2), `beats ${beats.join(',')}`);
  const count = beats.length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(beats.length, count, 'no beat after retry returned');
});
