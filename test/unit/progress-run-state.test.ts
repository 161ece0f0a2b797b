import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunState } from '../../app/progress/run-state.js';

test('a running task shows done/total, percent, moving rate and ETA', () => {
  const state = new RunState(0);
  state.plan(['organizations', 'usage_records']);
  state.start('usage_records', 'bulk', 1000, 0);
  state.progress('usage_records', { successful: 190, failed: 5, skipped: 5 }, 2000);
  const task = state.tasks.get('usage_records');
  assert.ok(task);
  const v = state.view(task, 2000);
  assert.deepEqual(
    { done: v.done, total: v.total, percent: v.percent, rate: v.recordsPerSecond, eta: v.etaSeconds, finished: v.finished },
    { done: 200, total: 1000, percent: 20, rate: 100, eta: 8, finished: false },
  );
});

test('percent never exceeds 100 when the source grew after counting', () => {
  const state = new RunState(0);
  state.start('events', 'bulk', 10, 0);
  state.progress('events', { successful: 12, failed: 0, skipped: 0 }, 1000);
  const v = state.view(state.tasks.get('events')!, 1000);
  assert.equal(v.percent, 100);
  assert.equal(v.total, 12);
  assert.equal(v.etaSeconds, 0);
});

test('an empty source has no percent while running', () => {
  const state = new RunState(0);
  state.start('views', 'records', 0, 0);
  assert.equal(state.view(state.tasks.get('views')!, 10).percent, null);
});

test('finished tasks report their statistics; totals add them up', () => {
  const state = new RunState(0);
  state.plan(['organizations', 'usage_records', 'events']);
  state.start('organizations', 'records', 3, 0);
  state.finish({ name: 'organizations', total: 3, successful: 3, failed: 0, skipped: 0, durationMs: 1500 }, 1500);
  state.start('usage_records', 'bulk', 100, 1500);
  state.progress('usage_records', { successful: 40, failed: 1, skipped: 0 }, 2500);
  assert.deepEqual(state.totals(), { done: 44, total: 103, successful: 43, failed: 1, skipped: 0, tasksDone: 1, tasksPlanned: 3 });
  assert.deepEqual(state.running().map((t) => t.name), ['usage_records']);
  assert.deepEqual(state.finished().map((s) => s.name), ['organizations']);
  const v = state.view(state.tasks.get('organizations')!, 9999);
  assert.equal(v.recordsPerSecond, 2);
  assert.equal(v.elapsedMs, 1500);
});

test('progress after a task finished does not change its statistics', () => {
  const state = new RunState(0);
  state.start('a', 'records', 2, 0);
  state.finish({ name: 'a', total: 2, successful: 2, failed: 0, skipped: 0, durationMs: 10 }, 10);
  state.progress('a', { successful: 1, failed: 0, skipped: 0 }, 20);
  assert.equal(state.totals().successful, 2);
});

test('the end of the run takes the caller statistics as final and sets phase and result', () => {
  const state = new RunState(0);
  state.start('a', 'records', 2, 0);
  state.end('failed', 'failed: boom', [{ name: 'a', total: 2, successful: 1, failed: 1, skipped: 0, durationMs: 10 }], 50);
  assert.equal(state.phase, 'failed');
  assert.equal(state.result, 'failed');
  assert.equal(state.finishedAt, 50);
  assert.deepEqual(state.finished(), [{ name: 'a', total: 2, successful: 1, failed: 1, skipped: 0, durationMs: 10 }]);
});

test('bulk tasks waiting for a worker are not current until they report progress', () => {
  const state = new RunState(0);
  state.start('usage_records', 'bulk', 10, 0);
  state.start('events', 'bulk', 10, 0);
  assert.deepEqual(state.active().map((t) => t.name), ['usage_records', 'events']);
  state.progress('events', { successful: 1, failed: 0, skipped: 0 }, 100);
  assert.deepEqual(state.active().map((t) => t.name), ['events']);
});
