/**
 * Issue 17 on a real control plane (etcd, kube-apiserver, kube-controller-manager; the one
 * stand-in is the kubelet, test/stand-ins/process-kubelet.ts, which runs each Pod as a local
 * process of the built CLI), with the real, pinned helm:
 *   1. `mode=precopy`: the pre-copy Job is a plain resource of the release, so `helm upgrade`
 *      returns with the release deployed while the Job has not completed (the application's
 *      upgrade is not held up); the Job then runs `migrate` to the end without verification;
 *   2. the application keeps writing to MongoDB (inserts, updates, deletes, an organisation
 *      removed with its children);
 *   3. `mode=cutover`: the upgrade's hook Job runs `catch-up`; Helm is deployed only after it
 *      completed; the pre-copy Job, no longer rendered, is gone; the target equals a clean
 *      migration of the final source, and the catch-up's verification passed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURE_MASTER_PASSWORD } from '../test/fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../test/harness/index.js';
import type { Obj } from '../test/harness/kube-rest.js';
import { jsonLines } from '../test/helpers/cli.js';
import { changeSource, withSource } from '../test/helpers/catchup.js';
import { contentDigests, migrateInProcess, testConfig, workDir } from '../test/helpers/faults.js';
import { createDocumentedSecrets, helmUpgrade, jobCondition, releaseStatus, smallControlPlane, startKubeRig, testNamespace, waitFor, type KubeRig } from '../test/helpers/kube.js';

const RELEASE = 'testkube';
const PRECOPY_JOB = 'testkube-mongo2pg-precopy';
const HOOK_JOB = 'testkube-mongo2pg';

let rig: KubeRig;
const dbs: TestDatabases[] = [];

before(async () => {
  rig = await startKubeRig();
});

after(async () => {
  await rig?.stop();
  for (const db of dbs) await db.cleanup();
});

const logLines = (log: string): Array<Record<string, unknown>> => jsonLines(log.split('\n').filter((l) => l.startsWith('{')).join('\n'));

test('pre-copy as plain release resources while the application runs, then the cutover upgrade runs catch-up as its hook', async () => {
  const db = await smallControlPlane('cutover-life', 17, 2000);
  dbs.push(db);
  const namespace = await testNamespace(rig.api, 'cutover-life');
  const refs = await createDocumentedSecrets(rig.api, namespace, { mongoDsn: db.mongoUrl, postgresUrl: db.pgUrl, masterPassword: FIXTURE_MASTER_PASSWORD });
  const values = (mode: 'precopy' | 'cutover'): Obj => ({
    ...refs,
    mongoToPostgresMigration: { enabled: true, mode },
    mongo: { ...refs.mongo, db: db.mongoDb, connectionAttempts: 3 },
    convert: { batchSize: 20, workers: 3, bulkWriteSize: 250, bulkThreads: 0 },
    progress: { interval: '1s', annotationInterval: '200ms' },
    terminationGracePeriodSeconds: 30,
  });
  const job = (name: string): Promise<Obj | undefined> => rig.api.find(`/apis/batch/v1/namespaces/${namespace}/jobs/${name}`);

  // 1. Pre-copy: helm returns without waiting for the Job.
  const precopy = await helmUpgrade(rig, RELEASE, namespace, values('precopy'));
  assert.equal(precopy.code, 0, precopy.stderr);
  assert.deepEqual(await releaseStatus(rig.api, namespace, RELEASE), { version: 1, status: 'deployed' });
  const atReturn = await job(PRECOPY_JOB);
  assert.ok(atReturn, 'the pre-copy Job exists');
  assert.equal(jobCondition(atReturn, 'Complete'), undefined, 'helm returned before the pre-copy completed');
  const run = await rig.kubelet.waitForRun(namespace, () => true, 120_000);
  const exit = await run.exited;
  const log = await rig.kubelet.logs(run);
  assert.equal(exit, 0, log.slice(-3000));
  assert.deepEqual(run.env.JOB_NAME, PRECOPY_JOB);
  const lines = logLines(log);
  assert.ok(lines.some((l) => l.message === 'migration finished successfully'), log.slice(-3000));
  assert.ok(!lines.some((l) => l.message === 'verification finished'), 'the pre-copy runs without verification');
  await waitFor('the pre-copy Job complete', async () => jobCondition(await job(PRECOPY_JOB), 'Complete'), 60_000);

  // 2. The application keeps writing to MongoDB until the cutover.
  await withSource(db, changeSource);

  // 3. Cutover: the hook Job runs catch-up; helm returns after it.
  const upgrade = helmUpgrade(rig, RELEASE, namespace, values('cutover'));
  const hook = await rig.kubelet.waitForRun(namespace, (r) => r !== run, 120_000);
  let hookExitedAt = 0;
  void hook.exited.then(() => (hookExitedAt = Date.now()));
  const cutover = await upgrade;
  const returnedAt = Date.now();
  const hookLog = await rig.kubelet.logs(hook);
  assert.equal(cutover.code, 0, `${cutover.stderr}\n--- pod log ---\n${hookLog.slice(-4000)}`);
  assert.equal(await hook.exited, 0);
  assert.ok(hookExitedAt > 0 && hookExitedAt <= returnedAt, 'helm returned after the catch-up completed');
  assert.equal(hook.env.JOB_NAME, HOOK_JOB);
  assert.deepEqual(await releaseStatus(rig.api, namespace, RELEASE), { version: 2, status: 'deployed' });
  const hookLines = logLines(hookLog);
  const summary = hookLines.find((l) => l.message === 'catch-up summary');
  const totals = summary?.totals as { inserted: number; updated: number; deleted: number } | undefined;
  assert.ok(totals && totals.inserted > 0 && totals.updated > 0 && totals.deleted > 0, `the catch-up changed rows: ${JSON.stringify(summary)}`);
  assert.ok(hookLines.some((l) => l.message === 'verification finished' && l.ok === true), hookLog.slice(-3000));
  assert.ok(!hookLog.includes(FIXTURE_MASTER_PASSWORD), 'no secret in the log');
  await waitFor('the pre-copy Job removed with the release\'s pre-copy resources', async () => ((await job(PRECOPY_JOB)) === undefined ? true : undefined), 60_000);

  // The target equals a clean migration of the final source.
  const reference = await createTestDatabases('cutover-life-reference');
  dbs.push(reference);
  const configOf = (pgUrl: string) => testConfig({ pgUrl, mongoUrl: db.mongoUrl, mongoDb: db.mongoDb }, { convert_work_dir: workDir() }, FIXTURE_MASTER_PASSWORD);
  const clean = await migrateInProcess(configOf(reference.pgUrl));
  assert.equal(clean.error, undefined, String(clean.error));
  assert.deepEqual(await contentDigests(db.pgUrl, configOf(db.pgUrl)), await contentDigests(reference.pgUrl, configOf(reference.pgUrl)));
});
