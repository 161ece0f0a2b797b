import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Config } from '../../app/config/load.js';
import { HUMAN, createLogger, flushLogger } from '../../app/log/logger.js';
import { LogProgress, progressText } from '../../app/progress/log-progress.js';
import { RunProgress } from '../../app/progress/run-progress.js';
import { RunState } from '../../app/progress/run-state.js';

function capture(format: 'json' | 'text', secrets: string[] = []) {
  const lines: string[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      done();
    },
  });
  const config = { progress: { logFormat: format, logLevel: 'debug' }, secrets } as unknown as Pick<Config, 'progress' | 'secrets'>;
  return { lines, logger: createLogger(config, stream) };
}

test('progress lines are rate-limited per task by the interval', async () => {
  const { lines, logger } = capture('json');
  let now = 0;
  const state = new RunState(0);
  const log = new LogProgress(logger, state, 10_000, () => now);
  const progress = new RunProgress([log], logger, () => now, state);
  progress.taskStarted('organizations', 'records', 1000);
  for (let t = 1; t <= 30; t++) {
    now = t * 1000;
    progress.taskProgress('organizations', { successful: t * 30, failed: 0, skipped: 0 });
  }
  await flushLogger(logger);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(parsed.map((p) => p.done), [300, 600, 900]);
  assert.deepEqual(parsed[0], {
    level: 'info', message: 'task progress', task: 'organizations', phase: 'records', done: 300, total: 1000, percent: 30,
    successful: 300, failed: 0, skipped: 0, in_chunk: 0, records_per_second: 30, eta_seconds: 24, elapsed_seconds: 10, timestamp: parsed[0]?.timestamp,
  });
});

test('the timer writes a line for a task that has gone quiet', async () => {
  const { lines, logger } = capture('json');
  let now = 0;
  const state = new RunState(0);
  const log = new LogProgress(logger, state, 5000, () => now);
  state.start('organizations', 'records', 10, 0);
  now = 6000;
  log.tick();
  now = 7000;
  log.tick();
  await flushLogger(logger);
  assert.equal(lines.length, 1);
  assert.equal((JSON.parse(lines[0] as string) as { eta_seconds: unknown }).eta_seconds, null);
});

test('bulk tasks waiting for a worker get no progress lines until they move', async () => {
  const { lines, logger } = capture('json');
  let now = 0;
  const state = new RunState(0);
  const log = new LogProgress(logger, state, 1000, () => now);
  state.start('usage_records', 'bulk', 10, 0);
  state.start('events', 'bulk', 10, 0);
  now = 2000;
  state.progress('usage_records', { successful: 5, failed: 0, skipped: 0 }, now);
  log.tick();
  await flushLogger(logger);
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { task: string }).task), ['usage_records']);
});

test('text format shows the human wording; JSON keeps message and fields', async () => {
  const text = capture('text');
  text.logger.info('task progress', { task: 'x', done: 1, [HUMAN]: 'x: 1/2 (50.0%)' });
  text.logger.info('Total Records:    5', { kind: 'statistics', task: 'x' });
  await flushLogger(text.logger);
  assert.match(text.lines[0] as string, /^\S+Z info {2}x: 1\/2 \(50\.0%\)$/);
  assert.equal(text.lines[1], 'Total Records:    5');

  const json = capture('json');
  json.logger.info('task progress', { task: 'x', done: 1, [HUMAN]: 'x: 1/2 (50.0%)' });
  await flushLogger(json.logger);
  const obj = JSON.parse(json.lines[0] as string) as Record<string, unknown>;
  assert.equal(obj.message, 'task progress');
  assert.equal(obj.done, 1);
  assert.ok(!JSON.stringify(obj).includes('50.0%'));
});

test('secrets are redacted from progress wording too', async () => {
  const { lines, logger } = capture('text', ['s3cr3t-value']);
  logger.info('task progress', { [HUMAN]: 'task s3cr3t-value: 1/2' });
  await flushLogger(logger);
  assert.ok(!(lines[0] as string).includes('s3cr3t-value'));
  assert.match(lines[0] as string, /\[redacted\]/);
});

test('a phase without task lines gets a phase progress line once per interval', async () => {
  const { lines, logger } = capture('json');
  let now = 0;
  const state = new RunState(0);
  const log = new LogProgress(logger, state, 5000, () => now);
  const progress = new RunProgress([log], logger, () => now, state);
  progress.phase('preflight');
  for (const t of [1000, 4000, 5000, 6000, 9000, 10_000]) {
    now = t;
    log.tick();
  }
  now = 12_000;
  progress.phase('verify');
  now = 16_000;
  log.tick();
  now = 17_000;
  log.tick();
  await flushLogger(logger);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(parsed.map((p) => [p.message, p.phase, p.phase_elapsed_seconds, p.elapsed_seconds]), [
    ['phase progress', 'preflight', 5, 5],
    ['phase progress', 'preflight', 10, 10],
    ['phase progress', 'verify', 5, 17],
  ]);
});

test('documents read into a running bulk chunk count as done before it commits', async () => {
  const { lines, logger } = capture('json');
  let now = 0;
  const state = new RunState(0);
  const log = new LogProgress(logger, state, 5000, () => now);
  const progress = new RunProgress([log], logger, () => now, state);
  progress.taskStarted('usage_records', 'bulk', 10_000);
  now = 5000;
  progress.taskProgress('usage_records', { successful: 0, failed: 0, skipped: 0, inChunk: 2000 });
  await flushLogger(logger);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(parsed.map((p) => [p.message, p.done, p.successful, p.in_chunk, p.percent]), [['task progress', 2000, 0, 2000, 20]]);
});

test('verification progress: one line per interval for the data set being verified, with rate and ETA', async () => {
  const { lines, logger } = capture('json');
  let now = 0;
  const state = new RunState(0);
  const log = new LogProgress(logger, state, 5000, () => now);
  const progress = new RunProgress([log], logger, () => now, state);
  progress.phase('verify');
  progress.verifyProgress('usage_records', 0, 10_000);
  for (let t = 1; t <= 10; t++) {
    now = t * 1000;
    progress.verifyProgress('usage_records', t * 500, 10_000);
  }
  await flushLogger(logger);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  // 500 records/s, 5000 left at 10 s: ETA 10 s. No phase progress line: the verification lines speak for the phase.
  assert.deepEqual(parsed.map((p) => [p.message, p.task, p.checked, p.total, p.percent, p.records_per_second, p.eta_seconds]), [
    ['verification progress', 'usage_records', 2500, 10_000, 25, 500, 15],
    ['verification progress', 'usage_records', 5000, 10_000, 50, 500, 10],
  ]);
});

test('progress text reads naturally', () => {
  assert.equal(
    progressText({ name: 'usage_records', phase: 'bulk', done: 12000, total: 50000, percent: 24, successful: 11990, failed: 10, skipped: 0, inChunk: 0, recordsPerSecond: 1520.34, etaSeconds: 25, elapsedMs: 8000, finished: false }),
    'usage_records: 12000/50000 (24.0%), 1520.3 records/s, ETA 25s, 10 failed, 0 skipped',
  );
});
