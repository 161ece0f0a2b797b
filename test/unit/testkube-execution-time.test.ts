// Golden tests for the legacy execution time repair (docs/testkube-executions.md, "Legacy
// execution times"). Expected values are worked out by hand from the rule: a timestamp at or
// before 1971-01-01 is absent; a missing scheduledAt becomes the earliest usable of assignedAt,
// statusAt, result.queuedAt/startedAt/finishedAt; when repaired, or when a stored durationMs or
// totalDurationMs is negative, and the result is finished (passed, failed, aborted, canceled) with
// a usable finishedAt: total = finishedAt − scheduledAt ≥ 0, duration = total − pausedMs ≥ 0, ms
// capped at int32's maximum, Go duration strings rounded to the millisecond; pausedMs kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goDurationString, roundToMs, transformExecution, type TimeRepairKind } from '../../app/transform/testkube/index.js';
import { testWorkflowExecutions } from '../../app/datasets/bulk/test-workflow-executions.js';
import { statisticsBlock, statisticsFields } from '../../app/report/stats.js';
import type { PgValue } from '../../app/datasets/types.js';
import { ZERO_DATE, at } from '../fixtures/testkube/documents.js';

const CTX = { organizationId: '', environmentId: '' };

interface Outcome {
  /** scheduled_at, assigned_at, status_at */
  execution: PgValue[];
  /** duration, total_duration, duration_ms, paused_ms, total_duration_ms; undefined without a result row */
  result: PgValue[] | undefined;
  repaired: TimeRepairKind[];
}

function run(doc: Record<string, unknown>): Outcome {
  const repaired: TimeRepairKind[] = [];
  const out = transformExecution({ id: 'e1', name: 'legacy-1', ...doc }, CTX, { onRepaired: (k) => repaired.push(k) });
  const execution = out[0]?.rows[0] ?? [];
  const result = out[1]?.rows[0];
  return { execution: execution.slice(13, 16), result: result?.slice(3, 8), repaired };
}

test('missing scheduledAt: the earliest usable anchor, durations recomputed from it, pausedMs kept', () => {
  const got = run({
    // scheduledat missing, as in documents from before the control plane kept it
    assignedat: at('2025-03-01T10:00:05Z'),
    statusat: at('2025-03-01T10:01:02.345Z'),
    result: {
      status: 'passed',
      queuedat: at('2025-03-01T10:00:02Z'), // the earliest
      startedat: at('2025-03-01T10:00:03Z'),
      finishedat: at('2025-03-01T10:01:02.345Z'),
      duration: '-596h31m23.648s',
      totalduration: '',
      durationms: -2147483648,
      pausedms: 1000,
      totaldurationms: 7,
    },
  });
  assert.deepEqual(got.execution, ['2025-03-01T10:00:02.000Z', '2025-03-01T10:00:05.000Z', '2025-03-01T10:01:02.345Z']);
  // total 60.345 s; duration 60.345 − 1 = 59.345 s
  assert.deepEqual(got.result, ['59.345s', '1m0.345s', 59345, 1000, 60345]);
  assert.deepEqual(got.repaired, ['scheduled-at', 'durations']);
});

test('a zero or epoch scheduledAt counts as absent; a timestamp exactly at 1971-01-01 is not an anchor', () => {
  const got = run({
    scheduledat: at('1970-01-01T00:00:00Z'),
    assignedat: at('1971-01-01T00:00:00Z'), // at the cut-off: absent
    statusat: at('1971-01-01T00:00:00.001Z'), // just after it: usable, the earliest
    result: { status: 'failed', startedat: at('2024-05-01T00:00:00Z'), finishedat: at('1971-01-01T00:00:01.001Z') },
  });
  assert.deepEqual(got.execution, ['1971-01-01T00:00:00.001Z', '1971-01-01T00:00:00.000Z', '1971-01-01T00:00:00.001Z']);
  assert.deepEqual(got.result, ['1s', '1s', 1000, 0, 1000]);
  assert.deepEqual(got.repaired, ['scheduled-at', 'durations']);
});

test('all anchors missing: scheduled_at stays as stored (NULL for the zero time), durations as stored', () => {
  const none = run({ scheduledat: ZERO_DATE(), assignedat: null, statusat: ZERO_DATE(), result: { status: 'passed', durationms: -5, totaldurationms: -6, duration: 'x', totalduration: 'y' } });
  assert.deepEqual(none.execution, [null, null, null]);
  assert.deepEqual(none.result, ['x', 'y', -5, 0, -6]);
  assert.deepEqual(none.repaired, []);

  // An epoch-like value is not the zero time: with nothing to repair it from, it is kept.
  const epoch = run({ scheduledat: at('1970-06-01T00:00:00Z'), statusat: at('1970-12-31T23:59:59Z') });
  assert.deepEqual(epoch.execution, ['1970-06-01T00:00:00.000Z', null, '1970-12-31T23:59:59.000Z']);
  assert.equal(epoch.result, undefined);
  assert.deepEqual(epoch.repaired, []);
});

test('usable scheduledAt with a negative stored duration: durations recomputed, scheduled_at kept', () => {
  const durationNegative = run({
    scheduledat: at('2025-03-01T10:00:00Z'),
    result: { status: 'aborted', finishedat: at('2025-03-01T12:30:00.5Z'), durationms: -1294967296, totaldurationms: 9000500, pausedms: 0 },
  });
  assert.deepEqual(durationNegative.execution, ['2025-03-01T10:00:00.000Z', null, null]);
  assert.deepEqual(durationNegative.result, ['2h30m0.5s', '2h30m0.5s', 9000500, 0, 9000500]);
  assert.deepEqual(durationNegative.repaired, ['durations']);

  const totalNegative = run({
    scheduledat: at('2025-03-01T10:00:00Z'),
    result: { status: 'canceled', finishedat: at('2025-03-01T10:00:00.25Z'), durationms: 3, totaldurationms: -1, pausedms: 0 },
  });
  assert.deepEqual(totalNegative.result, ['250ms', '250ms', 250, 0, 250]);

  // finishedAt before scheduledAt: total floored at 0.
  const backwards = run({ scheduledat: at('2025-03-01T10:00:00Z'), result: { status: 'passed', finishedat: at('2025-03-01T09:00:00Z'), durationms: -1, pausedms: 0 } });
  assert.deepEqual(backwards.result, ['0s', '0s', 0, 0, 0]);
});

test('usable scheduledAt and non-negative durations: nothing changes, even when they disagree with the times', () => {
  const got = run({
    scheduledat: at('2025-03-01T10:00:00Z'),
    result: { status: 'passed', finishedat: at('2025-03-01T11:00:00Z'), duration: '5ms', totalduration: '6ms', durationms: 5, totaldurationms: 6, pausedms: 0 },
  });
  assert.deepEqual(got.result, ['5ms', '6ms', 5, 0, 6]);
  assert.deepEqual(got.repaired, []);
});

test('unfinished results: scheduled_at repaired, durations left as stored', () => {
  for (const status of ['queued', 'running', 'paused', 'stopping', 'Passed', '']) {
    const got = run({
      result: { status, startedat: at('2025-03-01T10:00:03Z'), finishedat: at('2025-03-01T10:00:09Z'), duration: '1ms', durationms: -7, totaldurationms: -8, pausedms: 2 },
    });
    assert.deepEqual(got.execution, ['2025-03-01T10:00:03.000Z', null, null], status);
    assert.deepEqual(got.result, ['1ms', null, -7, 2, -8], status);
    assert.deepEqual(got.repaired, ['scheduled-at'], status);
  }
  // A nil status is not finished either.
  const nil = run({ scheduledat: at('2025-03-01T10:00:00Z'), result: { status: null, finishedat: at('2025-03-01T10:00:09Z'), durationms: -7 } });
  assert.deepEqual(nil.result, [null, null, -7, 0, 0]);
  assert.deepEqual(nil.repaired, []);
  // Finished, but finishedAt unusable: durations as stored.
  const noEnd = run({ statusat: at('2025-03-01T10:00:01Z'), result: { status: 'passed', finishedat: ZERO_DATE(), durationms: -3 } });
  assert.deepEqual(noEnd.execution, ['2025-03-01T10:00:01.000Z', null, '2025-03-01T10:00:01.000Z']);
  assert.deepEqual(noEnd.result, [null, null, -3, 0, 0]);
  assert.deepEqual(noEnd.repaired, ['scheduled-at']);
  // No result at all: only the anchors of the execution.
  const noResult = run({ assignedat: at('2025-03-01T10:00:02Z'), statusat: at('2025-03-01T10:00:01Z') });
  assert.deepEqual(noResult.execution, ['2025-03-01T10:00:01.000Z', '2025-03-01T10:00:02.000Z', '2025-03-01T10:00:01.000Z']);
  assert.equal(noResult.result, undefined);
});

test('pausedMs is kept as stored: subtracted from the total, duration floored at 0', () => {
  const longPause = run({ result: { status: 'passed', queuedat: at('2025-03-01T10:00:00Z'), finishedat: at('2025-03-01T10:01:00Z'), pausedms: 90000 } });
  assert.deepEqual(longPause.result, ['0s', '1m0s', 0, 90000, 60000]);
  const negativePause = run({ result: { status: 'passed', queuedat: at('2025-03-01T10:00:00Z'), finishedat: at('2025-03-01T10:01:00Z'), pausedms: -1500 } });
  assert.deepEqual(negativePause.result, ['1m1.5s', '1m0s', 61500, -1500, 60000]);
  const pauses = [{ ref: 'r', pausedat: at('2025-03-01T10:00:10Z'), resumedat: at('2025-03-01T10:00:40Z') }];
  // The pauses list is not consulted (it would give 30 s): the stored counter wins.
  const listed = run({ result: { status: 'passed', queuedat: at('2025-03-01T10:00:00Z'), finishedat: at('2025-03-01T10:01:00Z'), pausedms: 5000, pauses } });
  assert.deepEqual(listed.result, ['55s', '1m0s', 55000, 5000, 60000]);
});

test('int32 clamp: totals beyond 2^31−1 ms are capped in the *_ms columns, not in the strings', () => {
  // 2000-01-01 → 2030-01-01: 10,958 days = 946,771,200,000 ms = 262,992 h
  const thirtyYears = run({ result: { status: 'passed', queuedat: at('2000-01-01T00:00:00Z'), finishedat: at('2030-01-01T00:00:00Z') } });
  assert.deepEqual(thirtyYears.result, ['262992h0m0s', '262992h0m0s', 2147483647, 0, 2147483647]);
  // Just below and at the cap: 2^31 − 1 ms = 596h31m23.647s.
  const atCap = run({ result: { status: 'passed', queuedat: at('2025-01-01T00:00:00Z'), finishedat: new Date(Date.UTC(2025, 0, 1) + 2147483647) } });
  assert.deepEqual(atCap.result, ['596h31m23.647s', '596h31m23.647s', 2147483647, 0, 2147483647]);
  // Past Go's time.Duration range (~292 years), Time.Sub saturates at 2^63−1 ns.
  const saturated = run({ result: { status: 'passed', queuedat: at('1980-01-01T00:00:00Z'), finishedat: at('2500-01-01T00:00:00Z') } });
  assert.deepEqual(saturated.result, ['2562047h47m16.854775807s', '2562047h47m16.854775807s', 2147483647, 0, 2147483647]);
});

test('Go duration strings (time.Duration.String) and rounding to the millisecond', () => {
  const ms = 1_000_000n;
  const s = 1000n * ms;
  const cases: Array<[bigint, string]> = [
    [0n, '0s'],
    [5n, '5ns'],
    [1100n, '1.1µs'],
    [2200n * 1000n, '2.2ms'],
    [250n * ms, '250ms'],
    [3300n * ms, '3.3s'],
    [4n * 60n * s + 5n * s, '4m5s'],
    [4n * 60n * s + 5001n * ms, '4m5.001s'],
    [5n * 3600n * s + 6n * 60n * s + 7001n * ms, '5h6m7.001s'],
    [8n * 60n * s + 1n, '8m0.000000001s'],
    [3600n * s, '1h0m0s'],
    [2n ** 63n - 1n, '2562047h47m16.854775807s'],
  ];
  for (const [ns, text] of cases) assert.equal(goDurationString(ns), text);
  assert.equal(roundToMs(1_499_999n), ms);
  assert.equal(roundToMs(1_500_000n), 2n * ms);
  assert.equal(roundToMs(2n ** 63n - 1n), 2n ** 63n - 1n); // rounding up would overflow: Go keeps the maximum
});

test('the data set counts repairs per run and reports them in the statistics block', () => {
  const dataSet = testWorkflowExecutions();
  const tctx = { organizationId: 'o', environmentId: 'e' };
  dataSet.transform({ id: 'a', name: 'a', statusat: at('2025-01-01T00:00:00Z') }, tctx);
  dataSet.transform({ id: 'b', name: 'b', statusat: at('2025-01-01T00:00:00Z'), result: { status: 'passed', finishedat: at('2025-01-01T00:00:01Z') } }, tctx);
  dataSet.transform({ id: 'c', name: 'c', scheduledat: at('2025-01-01T00:00:00Z'), unknownfield: 1 }, tctx);
  const notes = dataSet.notes?.() ?? [];
  assert.deepEqual(
    notes.map((n) => [n.field, n.count, n.line]),
    [
      ['scheduling_time_repaired', 2, '2 executions had their scheduling time repaired'],
      ['durations_recomputed', 1, '1 executions had their durations recomputed'],
    ],
  );
  // The counters keep only dropped fields once the notes are taken.
  assert.deepEqual([...(dataSet.counters ?? [])], [['unknownfield (unknown-field)', 1]]);
  const stats = { name: 'test_workflow_executions', total: 3, successful: 3, failed: 0, skipped: 0, durationMs: 1000, notes };
  assert.match(statisticsBlock(stats), /Records\/second: +3\.00\n2 executions had their scheduling time repaired\n1 executions had their durations recomputed\n=+$/);
  assert.equal(statisticsFields(stats).scheduling_time_repaired, 2);
});
