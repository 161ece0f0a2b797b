/**
 * The real @kubernetes/client-node client, configured the in-cluster way, against a real
 * kube-apiserver (test/harness/kube.ts): TLS with the service-account CA, a token the server's
 * TokenRequest API issued, merge patch, and RBAC allowing get/patch on the Job itself only (as the
 * chart's Role). Faults the real server does not produce on demand (500, no answer) come from a
 * fault-injecting proxy in front of it (test/harness/kube-fault-proxy.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { redactor } from '../../app/log/redact.js';
import { JobAnnotationsReporter } from '../../app/progress/job-annotations.js';
import { kubeJobPatcher, kubeTarget, type KubeSettings } from '../../app/progress/kube-job-patcher.js';
import { RunProgress } from '../../app/progress/run-progress.js';
import { RunState } from '../../app/progress/run-state.js';
import { runCommand } from '../harness/process.js';
import { startControlPlane, type ControlPlane } from '../harness/kube.js';
import { startKubeFaultProxy, type KubeFaultProxy } from '../harness/kube-fault-proxy.js';
import { KubeRest } from '../harness/kube-rest.js';
import { createJobIdentity, createSuspendedJob, serviceAccountDir, testNamespace } from '../helpers/kube.js';

const JOB = 'mongo2pg-migrate';
const OTHER = 'testkube-api-migrations';

let dir: string;
let cp: ControlPlane;
let api: KubeRest;
let proxy: KubeFaultProxy;
let namespace: string;
let saDir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-patcher-'));
  cp = await startControlPlane();
  api = KubeRest.admin(cp);
  proxy = await startKubeFaultProxy(cp);
  namespace = await testNamespace(api, 'kube-patcher');
  await createSuspendedJob(api, namespace, JOB);
  await createSuspendedJob(api, namespace, OTHER);
  const sa = await createJobIdentity(api, namespace, JOB);
  saDir = await serviceAccountDir(api, cp.caFile, namespace, sa, join(dir, 'serviceaccount'));
});

after(async () => {
  await proxy?.close();
  await cp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function settings(overrides: Partial<KubeSettings> = {}): KubeSettings {
  return { jobName: JOB, jobNamespace: '', kubeHost: cp.host, kubePort: String(cp.port), kubeServiceAccountDir: saDir, ...overrides };
}

function patcherFor(overrides: Partial<KubeSettings> = {}) {
  const target = kubeTarget(settings(overrides));
  assert.ok(target.enabled, JSON.stringify(target));
  return kubeJobPatcher(target);
}

async function annotations(name = JOB): Promise<Record<string, string>> {
  return ((await api.get(`/apis/batch/v1/namespaces/${namespace}/jobs/${name}`)).metadata.annotations ?? {}) as Record<string, string>;
}

test('patches the Job annotations with a merge patch, the token and the service-account CA', async () => {
  const patcher = patcherFor();
  assert.equal(patcher.target, `${namespace}/${JOB}`, 'namespace from the service-account directory');
  await patcher.patchAnnotations({ 'mongo2pg.io/phase': 'records', 'mongo2pg.io/task': 'organizations' });
  assert.deepEqual(await annotations(), { 'helm.sh/hook': 'post-upgrade', 'mongo2pg.io/phase': 'records', 'mongo2pg.io/task': 'organizations' });
  await patcher.patchAnnotations({ 'mongo2pg.io/phase': 'done', 'mongo2pg.io/task': null });
  // Merge-patch semantics on the real server: others' annotations kept, null removed the key.
  assert.deepEqual(await annotations(), { 'helm.sh/hook': 'post-upgrade', 'mongo2pg.io/phase': 'done' });
});

test('another Job is refused with 403 by the real RBAC and the error says so', async () => {
  const patcher = patcherFor({ jobName: OTHER });
  await assert.rejects(patcher.patchAnnotations({ 'mongo2pg.io/phase': 'records' }), new RegExp(`HTTP 403: jobs\\.batch "${OTHER}" is forbidden: User "system:serviceaccount:${namespace}:${JOB}-sa" cannot patch resource "jobs"`));
  assert.equal((await annotations(OTHER))['mongo2pg.io/phase'], undefined);
});

test('a server whose certificate is not signed by the service-account CA is not trusted', async () => {
  // The right server and token, but a ca.crt of another CA.
  const other = join(dir, 'other-ca');
  mkdirSync(other);
  await runCommand('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(other, 'ca.key'), '-subj', '/CN=other-ca', '-days', '1', '-out', join(other, 'ca.crt')]);
  for (const f of ['token', 'namespace']) copyFileSync(join(saDir, f), join(other, f));
  const patcher = patcherFor({ kubeServiceAccountDir: other });
  await assert.rejects(patcher.patchAnnotations({ 'mongo2pg.io/phase': 'untrusted' }), (err: Error) => !/HTTP \d+/.test(err.message));
  assert.notEqual((await annotations())['mongo2pg.io/phase'], 'untrusted');
});

test('an API that answers 500 or never answers gives an error, within the request timeout', async () => {
  const patcher = patcherFor({ kubePort: String(proxy.port) });
  proxy.mode = 'pass';
  await patcher.patchAnnotations({ 'mongo2pg.io/phase': 'through-proxy' });
  assert.equal((await annotations())['mongo2pg.io/phase'], 'through-proxy', 'the proxy forwards to the real server');
  proxy.mode = 'error';
  await assert.rejects(patcher.patchAnnotations({ 'mongo2pg.io/phase': 'records' }), /HTTP 500: etcdserver: request timed out/);
  proxy.mode = 'hang';
  const began = Date.now();
  await assert.rejects(patcher.patchAnnotations({ 'mongo2pg.io/phase': 'records' }), /did not answer within 5s/);
  assert.ok(Date.now() - began < 7000);
  proxy.mode = 'pass';
  assert.equal((await annotations())['mongo2pg.io/phase'], 'through-proxy');
});

test('annotations are off when the service account has no token', () => {
  const empty = join(dir, 'no-token');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'namespace'), namespace);
  const target = kubeTarget(settings({ kubeServiceAccountDir: empty }));
  assert.equal(target.enabled, false);
});

test('the reporter leaves the final result and summary on the Job', async () => {
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
  const a = await annotations();
  assert.equal(a['mongo2pg.io/result'], 'succeeded');
  assert.equal(a['mongo2pg.io/phase'], 'done');
  assert.equal(a['mongo2pg.io/tasks'], '1/1');
  assert.equal(a['mongo2pg.io/summary'], 'succeeded: 1 data set, 2 records (2 migrated, 0 failed, 0 skipped) in 0.1s');
  assert.equal(a['mongo2pg.io/task'], undefined);
  assert.ok(a['mongo2pg.io/finished-at']);
});
