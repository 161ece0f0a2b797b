/**
 * Job annotations from the built CLI, configured as in a pod (KUBERNETES_SERVICE_HOST/PORT, the
 * service-account directory with a token from the server's TokenRequest API, JOB_NAME/JOB_NAMESPACE
 * as the downward API gives them), against a real kube-apiserver (test/harness/kube.ts) with RBAC
 * allowing get/patch on the Job only. Requests go through a fault-injecting proxy
 * (test/harness/kube-fault-proxy.ts) that records them and plays the 500 case. The annotations end
 * with the result; an API that refuses or fails does not fail the migration.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, type TestDatabases } from '../test/harness/index.js';
import { startControlPlane, type ControlPlane } from '../test/harness/kube.js';
import { startKubeFaultProxy, type KubeFaultProxy } from '../test/harness/kube-fault-proxy.js';
import { KubeRest } from '../test/harness/kube-rest.js';
import { MASTER_PASSWORD, baseEnv, jsonLines, runCli } from '../test/helpers/cli.js';
import { createJobIdentity, createSuspendedJob, serviceAccountDir, testNamespace } from '../test/helpers/kube.js';
import { seedOrganizations, seedUsage, withMongo } from '../test/helpers/seed.js';

const JOB = 'testkube-mongo2pg-migration';

let dir: string;
let cp: ControlPlane;
let kube: KubeRest;
let api: KubeFaultProxy;
let NAMESPACE: string;
let saDir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'progress-annotations-'));
  cp = await startControlPlane();
  kube = KubeRest.admin(cp);
  api = await startKubeFaultProxy(cp);
  NAMESPACE = await testNamespace(kube, 'progress-annotations');
  await createSuspendedJob(kube, NAMESPACE, JOB);
  await createSuspendedJob(kube, NAMESPACE, 'testkube-api');
  saDir = await serviceAccountDir(kube, cp.caFile, NAMESPACE, await createJobIdentity(kube, NAMESPACE, JOB), join(dir, 'serviceaccount'));
});

after(async () => {
  await api?.close();
  await cp?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function jobAnnotations(name: string): Promise<Record<string, string> | undefined> {
  return (await kube.find(`/apis/batch/v1/namespaces/${NAMESPACE}/jobs/${name}`))?.metadata.annotations;
}

async function seeded(label: string): Promise<TestDatabases> {
  const db = await createTestDatabases(label);
  await withMongo(db.mongoUrl, db.mongoDb, async (m) => {
    await seedOrganizations(m, 3);
    await seedUsage(m, 2000);
  });
  return db;
}

function podEnv(db: TestDatabases, jobName = JOB): Record<string, string> {
  return {
    ...baseEnv(db, join(dir, 'work')),
    KUBERNETES_SERVICE_HOST: api.host,
    KUBERNETES_SERVICE_PORT: String(api.port),
    KUBE_SERVICE_ACCOUNT_DIR: saDir,
    JOB_NAME: jobName,
    JOB_NAMESPACE: NAMESPACE,
    ANNOTATION_INTERVAL: '100ms',
    CONVERT_BULK_WRITE_SIZE: '250',
  };
}

test('the Job annotations end with the result and the one-line summary', async () => {
  api.mode = 'pass';
  const db = await seeded('annotations-ok');
  try {
    const before = api.requests.length;
    const result = await runCli(['migrate'], podEnv(db));
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const lines = jsonLines(result.stdout);
    const summary = lines.find((l) => l.message === 'migration finished successfully')?.summary;
    const dataSets = lines.filter((l) => l.message === 'task finished').length;
    assert.match(String(summary), new RegExp(`^succeeded: ${dataSets} data sets?, 2009 records \\(2009 migrated, 0 failed, 0 skipped\\) in \\d+\\.\\ds$`));

    const ours = api.requests.slice(before);
    assert.ok(ours.length >= 1);
    for (const r of ours) {
      assert.equal(r.method, 'PATCH');
      assert.equal(r.path, `/apis/batch/v1/namespaces/${NAMESPACE}/jobs/${JOB}`);
      assert.equal(r.status, 200, 'the real server accepted it: a merge patch with the right token');
    }
    const annotations = (await jobAnnotations(JOB)) ?? {};
    assert.equal(annotations['helm.sh/hook'], 'post-upgrade', 'annotations of others are kept');
    assert.equal(annotations['mongo2pg.io/result'], 'succeeded');
    assert.equal(annotations['mongo2pg.io/phase'], 'done');
    assert.equal(annotations['mongo2pg.io/summary'], summary);
    assert.equal(annotations['mongo2pg.io/tasks'], `${dataSets}/${dataSets}`);
    assert.equal(annotations['mongo2pg.io/records'], '2009/2009 processed: 2009 migrated, 0 failed, 0 skipped');
    assert.equal(annotations['mongo2pg.io/task'], undefined, 'no current task once done');
    for (const key of ['started-at', 'updated-at', 'finished-at']) assert.ok(!Number.isNaN(Date.parse(annotations[`mongo2pg.io/${key}`] ?? '')), key);
    assert.ok(!JSON.stringify(annotations).includes(MASTER_PASSWORD));
    // The other Job was never touched.
    assert.deepEqual(await jobAnnotations('testkube-api'), { 'helm.sh/hook': 'post-upgrade' });
  } finally {
    await db.cleanup();
  }
});

test('an API that refuses (403 from the real RBAC: not our Job) does not fail the migration and is logged once', async () => {
  api.mode = 'pass';
  const db = await seeded('annotations-forbidden');
  try {
    const result = await runCli(['migrate'], podEnv(db, 'some-other-job'));
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const warnings = jsonLines(result.stdout).filter((l) => l.level === 'warn' && String(l.message).startsWith('cannot update the Job annotations'));
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]?.error), /HTTP 403/);
    assert.equal(await jobAnnotations('some-other-job'), undefined);
  } finally {
    await db.cleanup();
  }
});

test('an API that fails (500) does not fail the migration', async () => {
  api.mode = 'error';
  const db = await seeded('annotations-500');
  try {
    const result = await runCli(['migrate'], podEnv(db));
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const warnings = jsonLines(result.stdout).filter((l) => l.level === 'warn' && String(l.message).startsWith('cannot update the Job annotations'));
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]?.error), /HTTP 500/);
  } finally {
    api.mode = 'pass';
    await db.cleanup();
  }
});

test('outside a cluster annotations are off and nothing is sent', async () => {
  const db = await seeded('annotations-off');
  try {
    const before = api.requests.length;
    const env = podEnv(db);
    delete env.KUBERNETES_SERVICE_HOST;
    const result = await runCli(['migrate'], env);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const off = jsonLines(result.stdout).find((l) => l.message === 'Job annotations off');
    assert.match(String(off?.reason), /not running in a Kubernetes cluster/);
    assert.equal(api.requests.length, before);
  } finally {
    await db.cleanup();
  }
});
