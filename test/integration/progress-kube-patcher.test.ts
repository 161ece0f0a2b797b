/**
 * The real @kubernetes/client-node client, configured the in-cluster way, against the Kubernetes
 * API stand-in (test/stand-ins/kube-api.ts): TLS with the service-account CA, bearer token,
 * merge-patch content type, RBAC limited to the Job itself.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { redactor } from '../../app/log/redact.js';
import { JobAnnotationsReporter } from '../../app/progress/job-annotations.js';
import { kubeJobPatcher, kubeTarget, type KubeSettings } from '../../app/progress/kube-job-patcher.js';
import { RunProgress } from '../../app/progress/run-progress.js';
import { RunState } from '../../app/progress/run-state.js';
import { startKubeApiStandIn, type KubeApiStandIn } from '../stand-ins/kube-api.js';

let dir: string;
let api: KubeApiStandIn;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-stand-in-'));
  api = await startKubeApiStandIn({ dir, namespace: 'testkube', jobName: 'mongo2pg-migrate', otherJobs: ['testkube-api-migrations'] });
});

after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

function settings(overrides: Partial<KubeSettings> = {}): KubeSettings {
  return { jobName: 'mongo2pg-migrate', jobNamespace: '', kubeHost: api.host, kubePort: String(api.port), kubeServiceAccountDir: api.serviceAccountDir, ...overrides };
}

function patcherFor(overrides: Partial<KubeSettings> = {}) {
  const target = kubeTarget(settings(overrides));
  assert.ok(target.enabled, JSON.stringify(target));
  return kubeJobPatcher(target);
}

test('patches the Job annotations with a merge patch, bearer token and the service-account CA', async () => {
  api.mode = 'ok';
  const patcher = patcherFor();
  assert.equal(patcher.target, 'testkube/mongo2pg-migrate');
  await patcher.patchAnnotations({ 'mongo2pg.io/phase': 'records', 'mongo2pg.io/task': 'organizations' });
  await patcher.patchAnnotations({ 'mongo2pg.io/phase': 'done', 'mongo2pg.io/task': null });
  const last = api.requests.at(-1);
  assert.equal(last?.method, 'PATCH');
  assert.equal(last?.path, '/apis/batch/v1/namespaces/testkube/jobs/mongo2pg-migrate');
  assert.equal(last?.contentType, 'application/merge-patch+json');
  assert.equal(last?.authorization, `Bearer ${api.token}`);
  assert.equal(last?.status, 200);
  // Other annotations (the Helm hook's) are kept; null removed the task key.
  assert.deepEqual(api.jobs.get('testkube/mongo2pg-migrate')?.metadata.annotations, { 'helm.sh/hook': 'pre-upgrade', 'mongo2pg.io/phase': 'done' });
});

test('another Job is refused with 403 and the error says so', async () => {
  api.mode = 'ok';
  const patcher = patcherFor({ jobName: 'testkube-api-migrations' });
  await assert.rejects(patcher.patchAnnotations({ 'mongo2pg.io/phase': 'records' }), /HTTP 403: jobs\.batch "testkube-api-migrations" is forbidden/);
  assert.equal(api.jobs.get('testkube/testkube-api-migrations')?.metadata.annotations?.['mongo2pg.io/phase'], undefined);
});

test('a server whose certificate is not signed by the service-account CA is not trusted', async () => {
  const other = mkdtempSync(join(tmpdir(), 'kube-other-ca-'));
  try {
    const otherApi = await startKubeApiStandIn({ dir: other, namespace: 'testkube', jobName: 'mongo2pg-migrate' });
    try {
      // Our token and CA, the other server's address.
      const patcher = patcherFor({ kubePort: String(otherApi.port) });
      await assert.rejects(patcher.patchAnnotations({ 'mongo2pg.io/phase': 'records' }), (err: Error) => !/HTTP \d+/.test(err.message));
      assert.equal(otherApi.requests.length, 0);
    } finally {
      await otherApi.close();
    }
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('an API that answers 500 or never answers gives an error, within the request timeout', async () => {
  const patcher = patcherFor();
  api.mode = 'error';
  await assert.rejects(patcher.patchAnnotations({ 'mongo2pg.io/phase': 'records' }), /HTTP 500/);
  api.mode = 'hang';
  const began = Date.now();
  await assert.rejects(patcher.patchAnnotations({ 'mongo2pg.io/phase': 'records' }), /did not answer within 5s/);
  assert.ok(Date.now() - began < 7000);
  api.mode = 'ok';
});

test('annotations are off when the service account has no token', () => {
  const empty = join(dir, 'no-token');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'namespace'), 'testkube');
  const target = kubeTarget(settings({ kubeServiceAccountDir: empty }));
  assert.equal(target.enabled, false);
});

test('the reporter leaves the final result and summary on the Job', async () => {
  api.mode = 'ok';
  const logger = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
  const state = new RunState(Date.now());
  const reporter = new JobAnnotationsReporter(patcherFor(), state, logger, redactor([]), 50);
  const progress = new RunProgress([reporter], logger, Date.now, state);
  progress.start();
  progress.plan(['organizations']);
  progress.phase('records');
  progress.taskStarted('organizations', 'records', 2);
  progress.taskProgress('organizations', { successful: 2, failed: 0, skipped: 0 });
  const stats = [{ name: 'organizations', total: 2, successful: 2, failed: 0, skipped: 0, durationMs: 5 }];
  progress.taskFinished(stats[0]!);
  await progress.runFinished({ ok: true, summary: 'succeeded: 1 data set, 2 records (2 migrated, 0 failed, 0 skipped) in 0.1s', stats });
  const a = api.jobs.get('testkube/mongo2pg-migrate')?.metadata.annotations ?? {};
  assert.equal(a['mongo2pg.io/result'], 'succeeded');
  assert.equal(a['mongo2pg.io/phase'], 'done');
  assert.equal(a['mongo2pg.io/tasks'], '1/1');
  assert.equal(a['mongo2pg.io/summary'], 'succeeded: 1 data set, 2 records (2 migrated, 0 failed, 0 skipped) in 0.1s');
  assert.equal(a['mongo2pg.io/task'], undefined);
  assert.ok(a['mongo2pg.io/finished-at']);
});
