import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import { redactor } from '../../app/log/redact.js';
import { JobAnnotationsReporter, jobAnnotations, type Annotations, type JobPatcher } from '../../app/progress/job-annotations.js';
import { kubeTarget } from '../../app/progress/kube-job-patcher.js';
import { RunProgress } from '../../app/progress/run-progress.js';
import { RunState } from '../../app/progress/run-state.js';
import { Throttle } from '../../app/progress/throttle.js';

const SECRET = 'postgres://app:Sup3rS3cretPw@db:5432/app';

function memoryLogger() {
  const entries: { level: string; message: string; [k: string]: unknown }[] = [];
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Console({ silent: true })] });
  logger.on('data', (info: { level: string; message: string }) => entries.push(info));
  return { logger, entries };
}

test('annotations carry phase, task, counts and timestamps under the mongo2pg.io/ prefix', () => {
  const state = new RunState(Date.parse('2026-01-01T00:00:00Z'));
  state.plan(['organizations', 'usage_records']);
  state.setPhase('bulk');
  state.start('organizations', 'records', 3, state.startedAt);
  state.finish({ name: 'organizations', total: 3, successful: 3, failed: 0, skipped: 0, durationMs: 100 }, state.startedAt + 100);
  state.start('usage_records', 'bulk', 1000, state.startedAt + 100);
  state.progress('usage_records', { successful: 240, failed: 10, skipped: 0 }, state.startedAt + 10_100);
  const a = jobAnnotations(state, state.startedAt + 10_100, (s) => s);
  assert.deepEqual(a, {
    'mongo2pg.io/phase': 'bulk',
    'mongo2pg.io/task': 'usage_records',
    'mongo2pg.io/tasks': '1/2',
    'mongo2pg.io/records': '253/1003 processed: 243 migrated, 10 failed, 0 skipped',
    'mongo2pg.io/progress': '1/2 tasks done; usage_records 250/1000 (25.0%, ETA 30s)',
    'mongo2pg.io/started-at': '2026-01-01T00:00:00.000Z',
    'mongo2pg.io/updated-at': '2026-01-01T00:00:10.100Z',
    'mongo2pg.io/result': 'running',
  });
});

test('the final annotations remove the task and add result, summary and finish time; secrets are redacted', () => {
  const state = new RunState(0);
  state.end('failed', `failed: cannot connect to ${SECRET}\nat line 2`, [], 5000);
  const a = jobAnnotations(state, 5000, redactor([SECRET]).text);
  assert.equal(a['mongo2pg.io/task'], null);
  assert.equal(a['mongo2pg.io/phase'], 'failed');
  assert.equal(a['mongo2pg.io/result'], 'failed');
  assert.equal(a['mongo2pg.io/finished-at'], '1970-01-01T00:00:05.000Z');
  assert.equal(a['mongo2pg.io/summary'], 'failed: cannot connect to postgres://app:[redacted]@db:5432/app at line 2');
  assert.ok(!JSON.stringify(a).includes('Sup3rS3cretPw'));
});

test('throttle: progress-only changes go out once per interval, urgent ones within the gap', async () => {
  const sent: number[] = [];
  const started = Date.now();
  const throttle = new Throttle({ intervalMs: 400, urgentGapMs: 50, send: async () => void sent.push(Date.now() - started) });
  throttle.start();
  await sleep(20);
  for (let i = 0; i < 20; i++) {
    throttle.mark();
    await sleep(10);
  }
  // 200 ms of ordinary changes: nothing beyond the first send yet.
  assert.equal(sent.length, 1);
  throttle.mark(true);
  await sleep(100);
  assert.equal(sent.length, 2);
  await throttle.flush();
  assert.equal(sent.length, 3);
});

test('throttle: at most one send in flight, the final flush waits for it', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const throttle = new Throttle({
    intervalMs: 10, urgentGapMs: 1, send: async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(50);
      inFlight--;
    },
  });
  throttle.start();
  for (let i = 0; i < 10; i++) {
    throttle.mark(true);
    await sleep(5);
  }
  await throttle.flush();
  assert.equal(maxInFlight, 1);
  assert.equal(inFlight, 0);
});

test('a refusing API is logged once and the run goes on to its final patch', async () => {
  const calls: Annotations[] = [];
  const patcher: JobPatcher = {
    target: 'ns/job',
    async patchAnnotations(a) {
      calls.push(a);
      throw new Error('Kubernetes API answered HTTP 403: forbidden');
    },
  };
  const { logger, entries } = memoryLogger();
  const state = new RunState(Date.now());
  const reporter = new JobAnnotationsReporter(patcher, state, logger, redactor([]), 10);
  const progress = new RunProgress([reporter], logger, Date.now, state);
  progress.start();
  progress.phase('schema');
  await sleep(30);
  progress.phase('records');
  await sleep(1100);
  await progress.runFinished({ ok: true, summary: 'succeeded: 0 data sets', stats: [] });
  assert.ok(calls.length >= 3, `patched ${calls.length} times`);
  assert.equal(calls.at(-1)?.['mongo2pg.io/result'], 'succeeded');
  assert.equal(entries.filter((e) => e.level === 'warn').length, 1);
});

test('a hanging API does not hold the end of the run beyond the finish timeout', async () => {
  // A request that never answers (the timer stands for its open socket).
  const hanging = new Set<NodeJS.Timeout>();
  const patcher: JobPatcher = { target: 'ns/job', patchAnnotations: () => new Promise((resolve) => void hanging.add(setTimeout(resolve, 60_000))) };
  const { logger } = memoryLogger();
  const state = new RunState(Date.now());
  const progress = new RunProgress([new JobAnnotationsReporter(patcher, state, logger, redactor([]), 10)], logger, Date.now, state, 300);
  progress.start();
  const began = Date.now();
  await progress.runFinished({ ok: false, summary: 'failed', stats: [] });
  assert.ok(Date.now() - began < 1000);
  for (const t of hanging) clearTimeout(t);
});

test('annotations are off outside a cluster or without a Job name, and say why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sa-'));
  const base = { jobName: 'mongo2pg-migrate', jobNamespace: '', kubeHost: '10.0.0.1', kubePort: '443', kubeServiceAccountDir: dir };
  assert.deepEqual(kubeTarget({ ...base, jobName: '' }), { enabled: false, reason: 'JOB_NAME is not set' });
  assert.match((kubeTarget({ ...base, kubeHost: '' }) as { reason: string }).reason, /not running in a Kubernetes cluster/);
  assert.match((kubeTarget(base) as { reason: string }).reason, /no service-account token/);
  writeFileSync(join(dir, 'token'), 'abc');
  assert.match((kubeTarget(base) as { reason: string }).reason, /JOB_NAMESPACE is not set/);
  writeFileSync(join(dir, 'namespace'), 'testkube\n');
  assert.deepEqual(kubeTarget(base), { enabled: true, server: 'https://10.0.0.1:443', name: 'mongo2pg-migrate', namespace: 'testkube', tokenFile: join(dir, 'token'), caFile: join(dir, 'ca.crt') });
  const v6 = kubeTarget({ ...base, jobNamespace: 'other', kubeHost: 'fd00::1', kubePort: '6443' });
  assert.equal(v6.enabled && v6.server, 'https://[fd00::1]:6443');
  assert.equal(v6.enabled && v6.namespace, 'other');
});
