import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import { redactor } from '../../app/log/redact.js';
import { PushgatewayReporter, RunMetrics, type MetricsPusher } from '../../app/progress/metrics.js';
import { RunProgress } from '../../app/progress/run-progress.js';
import { RunState } from '../../app/progress/run-state.js';

/** `name{labels} value` lines of the exposition text, as a map. */
async function samples(metrics: RunMetrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await metrics.registry.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

function silentLogger() {
  const entries: { level: string; message: string }[] = [];
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Console({ silent: true })] });
  logger.on('data', (info: { level: string; message: string }) => entries.push(info));
  return { logger, entries };
}

test('metrics while running: records by outcome, source totals, ratio, phase, result', async () => {
  const state = new RunState(1_700_000_000_000);
  state.plan(['organizations', 'usage_records', 'events']);
  state.setPhase('bulk');
  state.start('organizations', 'records', 3, state.startedAt);
  state.finish({ name: 'organizations', total: 3, successful: 2, failed: 1, skipped: 0, durationMs: 2000 }, state.startedAt + 2000);
  state.start('usage_records', 'bulk', 100, state.startedAt + 2000);
  state.progress('usage_records', { successful: 20, failed: 0, skipped: 5 }, state.startedAt + 7000);
  const metrics = new RunMetrics();
  metrics.refresh(state, state.startedAt + 7000);
  const m = await samples(metrics);
  const expected: Record<string, number> = {
    'mongo2pg_records{data_set="organizations",outcome="migrated"}': 2,
    'mongo2pg_records{data_set="organizations",outcome="failed"}': 1,
    'mongo2pg_records{data_set="usage_records",outcome="migrated"}': 20,
    'mongo2pg_records{data_set="usage_records",outcome="skipped"}': 5,
    'mongo2pg_records{data_set="events",outcome="migrated"}': 0,
    'mongo2pg_source_records{data_set="organizations"}': 3,
    'mongo2pg_source_records{data_set="usage_records"}': 100,
    'mongo2pg_task_progress_ratio{data_set="organizations"}': 1,
    'mongo2pg_task_progress_ratio{data_set="usage_records"}': 0.25,
    'mongo2pg_task_progress_ratio{data_set="events"}': 0,
    'mongo2pg_task_duration_seconds{data_set="organizations"}': 2,
    'mongo2pg_task_duration_seconds{data_set="usage_records"}': 5,
    'mongo2pg_task_records_per_second{data_set="organizations"}': 1,
    'mongo2pg_task_records_per_second{data_set="usage_records"}': 5,
    'mongo2pg_task_eta_seconds{data_set="usage_records"}': 15,
    'mongo2pg_tasks{state="planned"}': 3,
    'mongo2pg_tasks{state="running"}': 1,
    'mongo2pg_tasks{state="done"}': 1,
    'mongo2pg_phase{phase="bulk"}': 1,
    'mongo2pg_phase{phase="records"}': 0,
    'mongo2pg_result{result="running"}': 1,
    'mongo2pg_result{result="failed"}': 0,
    mongo2pg_up: 1,
    mongo2pg_start_time_seconds: 1_700_000_000,
  };
  for (const [key, value] of Object.entries(expected)) assert.equal(m.get(key), value, key);
  assert.equal(m.has('mongo2pg_end_time_seconds'), false);
  assert.equal(m.has('mongo2pg_last_success_time_seconds'), false);
  assert.equal(m.has('mongo2pg_task_eta_seconds{data_set="organizations"}'), false);
  assert.ok((m.get('mongo2pg_process_resident_memory_bytes') ?? 0) > 0);
});

test('final metrics: failed run has up 0, result failed, no last-success time', async () => {
  const state = new RunState(0);
  state.end('failed', 'failed', [{ name: 'a', total: 2, successful: 1, failed: 1, skipped: 0, durationMs: 1000 }], 4000);
  const metrics = new RunMetrics();
  metrics.refresh(state, 4000);
  const m = await samples(metrics);
  assert.equal(m.get('mongo2pg_up'), 0);
  assert.equal(m.get('mongo2pg_result{result="failed"}'), 1);
  assert.equal(m.get('mongo2pg_phase{phase="failed"}'), 1);
  assert.equal(m.get('mongo2pg_end_time_seconds'), 4);
  assert.equal(m.has('mongo2pg_last_success_time_seconds'), false);

  state.result = 'succeeded';
  metrics.refresh(state, 4000);
  assert.equal((await samples(metrics)).get('mongo2pg_last_success_time_seconds'), 4);
});

test('pushes go to job mongo2pg grouped by release; a failing gateway is logged once and never throws', async () => {
  const pushes: { jobName: string; groupings?: Record<string, string> }[] = [];
  const pusher: MetricsPusher = {
    async push(params) {
      pushes.push(params);
      throw new Error('connect ECONNREFUSED 127.0.0.1:9091');
    },
  };
  const { logger, entries } = silentLogger();
  const state = new RunState(Date.now());
  const reporter = new PushgatewayReporter({ url: 'http://user:pw-in-url@127.0.0.1:9091', release: '', intervalMs: 20, pusher }, state, logger, redactor([]));
  const progress = new RunProgress([reporter], logger, Date.now, state);
  progress.start();
  await sleep(100);
  await progress.runFinished({ ok: true, summary: 'ok', stats: [] });
  assert.ok(pushes.length >= 3, `pushed ${pushes.length} times`);
  assert.deepEqual(pushes[0], { jobName: 'mongo2pg', groupings: { release: 'default' } });
  // The first failure and the final push's failure are warnings; the ones in between are debug lines.
  const warnings = entries.filter((e) => e.level === 'warn');
  assert.deepEqual(warnings.map((w) => w.message), ['cannot push metrics to the Pushgateway; the migration continues (further failures are logged at debug level)', 'final metrics push failed']);
  assert.equal(progress.metricsStatus()?.state, 'failed');
  assert.ok(!JSON.stringify(entries).includes('pw-in-url'));
  assert.ok(!JSON.stringify(progress.metricsStatus()).includes('pw-in-url'));
});

test('the final push is confirmed in the log and in the status the run\'s last line reads', async () => {
  let pushes = 0;
  const pusher: MetricsPusher = {
    async push() {
      pushes++;
    },
  };
  const { logger, entries } = silentLogger();
  const state = new RunState(Date.now());
  const reporter = new PushgatewayReporter({ url: 'http://127.0.0.1:9091', release: 'r', intervalMs: 1000, pusher }, state, logger, redactor([]));
  const progress = new RunProgress([reporter], logger, Date.now, state);
  assert.equal(progress.metricsStatus()?.state, 'pending');
  progress.start();
  await progress.runFinished({ ok: true, summary: 'ok', stats: [] });
  assert.ok(pushes >= 1);
  assert.ok(entries.some((e) => e.message === 'final metrics push succeeded'));
  assert.deepEqual(progress.metricsStatus(), { state: 'pushed', url: 'http://127.0.0.1:9091' });
  assert.equal(new RunProgress([], logger).metricsStatus(), null);
});

test('verification progress per data set: checked and total while running, ratio 1 once done', async () => {
  const state = new RunState(1_700_000_000_000);
  state.setPhase('verify');
  state.verifyProgress('users', 0, 200, state.startedAt);
  state.verifyProgress('users', 50, 200, state.startedAt + 1000);
  const metrics = new RunMetrics();
  metrics.refresh(state, state.startedAt + 1000);
  let m = await samples(metrics);
  assert.equal(m.get('mongo2pg_verify_checked_records{data_set="users"}'), 50);
  assert.equal(m.get('mongo2pg_verify_total_records{data_set="users"}'), 200);
  assert.equal(m.get('mongo2pg_verify_progress_ratio{data_set="users"}'), 0.25);
  // Next data set (an exploded one: no total up front); the first one is done.
  state.verifyProgress('users', 200, 200, state.startedAt + 2000);
  state.verifyProgress('payments_history', 4, null, state.startedAt + 3000);
  metrics.refresh(state, state.startedAt + 3000);
  m = await samples(metrics);
  assert.equal(m.get('mongo2pg_verify_progress_ratio{data_set="users"}'), 1);
  assert.equal(m.get('mongo2pg_verify_checked_records{data_set="payments_history"}'), 4);
  assert.equal(m.has('mongo2pg_verify_total_records{data_set="payments_history"}'), false);
  assert.equal(m.has('mongo2pg_verify_progress_ratio{data_set="payments_history"}'), false);
  state.end('succeeded', 'ok', [], state.startedAt + 4000);
  metrics.refresh(state, state.startedAt + 4000);
  m = await samples(metrics);
  assert.equal(m.get('mongo2pg_verify_total_records{data_set="payments_history"}'), 4);
  assert.equal(m.get('mongo2pg_verify_progress_ratio{data_set="payments_history"}'), 1);
});
