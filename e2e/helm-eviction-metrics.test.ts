/**
 * A hook Job whose Pod is evicted mid-run, against the real API server and the real helm: the
 * Eviction API marks the Pod with DisruptionTarget, the process kubelet stops it with SIGTERM, the
 * Job's podFailurePolicy ignores the failure and the Job controller makes a replacement Pod, which
 * resumes; the target ends equal to a clean run's. Meanwhile a real Prometheus scrapes the
 * Pushgateway the run pushes to, and every PromQL expression of chart/dashboards/mongo2pg.json
 * returns data over the run, as the dashboard's panels would show it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/chart/helm.js';
import { FIXTURE_MASTER_PASSWORD } from '../test/fixtures/generate.js';
import { PUSHGATEWAY_URL_ENV, createTestDatabases, type TestDatabases } from '../test/harness/index.js';
import { startPrometheus } from '../test/harness/prometheus.js';
import type { RunningService } from '../test/harness/service.js';
import { baseEnv, jsonLines, runCli } from '../test/helpers/cli.js';
import { createDocumentedSecrets, helmUpgrade, jobCondition, releaseStatus, smallControlPlane, startKubeRig, tableDigests, testNamespace, waitFor, type KubeRig } from '../test/helpers/kube.js';

const RELEASE = 'evicted';
const JOB = 'evicted-mongo2pg';

let rig: KubeRig;
let prometheus: RunningService;
const dbs: TestDatabases[] = [];

before(async () => {
  const gateway = process.env[PUSHGATEWAY_URL_ENV];
  assert.ok(gateway, `${PUSHGATEWAY_URL_ENV} is not set: run through npm test (scripts/test.ts)`);
  rig = await startKubeRig();
  prometheus = await startPrometheus(gateway);
});

after(async () => {
  await prometheus?.stop();
  await rig?.stop();
  for (const db of dbs) await db.cleanup();
});

/** Every `expr` of the dashboard's panels, with the release variable filled in. */
function dashboardExpressions(release: string): string[] {
  const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'chart', 'dashboards', 'mongo2pg.json'), 'utf8')) as { panels: { targets?: { expr?: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr).filter((e): e is string => typeof e === 'string'));
  return [...new Set(exprs)].map((e) => e.replaceAll('$release', release));
}

/** A range query over the run, as a Grafana panel asks; the number of series with samples. */
async function seriesOver(expr: string, start: Date, end: Date): Promise<number> {
  const q = new URL('/api/v1/query_range', prometheus.url);
  q.searchParams.set('query', expr);
  q.searchParams.set('start', String(start.getTime() / 1000));
  q.searchParams.set('end', String(end.getTime() / 1000));
  q.searchParams.set('step', '1');
  const body = (await (await fetch(q)).json()) as { status: string; error?: string; data?: { result: { values: unknown[] }[] } };
  assert.equal(body.status, 'success', `${expr}: ${body.error}`);
  return (body.data?.result ?? []).filter((r) => r.values.length > 0).length;
}

test('eviction mid-run: the replacement Pod resumes and the target equals a clean run; every dashboard query returns data', async () => {
  const db = await smallControlPlane('eviction', 21, 12000);
  dbs.push(db);
  const namespace = await testNamespace(rig.api, 'eviction');
  const refs = await createDocumentedSecrets(rig.api, namespace, { mongoDsn: db.mongoUrl, postgresUrl: db.pgUrl, masterPassword: FIXTURE_MASTER_PASSWORD });
  const values = {
    ...refs,
    mongoToPostgresMigration: { enabled: true },
    mongo: { ...refs.mongo, db: db.mongoDb, connectionAttempts: 3 },
    // Small chunks: many checkpoints, so the eviction lands mid-bulk and the resume has work left.
    convert: { batchSize: 20, workers: 3, bulkWriteSize: 250, bulkReadSize: 500, bulkParallel: 1, bulkThreads: 0 },
    progress: { interval: '1s', annotationInterval: '200ms', pushgatewayUrl: process.env[PUSHGATEWAY_URL_ENV], pushInterval: '1s' },
    terminationGracePeriodSeconds: 30,
  };
  const started = new Date();
  const upgrade = helmUpgrade(rig, RELEASE, namespace, values);
  const first = await Promise.race([
    rig.kubelet.waitForRun(namespace, () => true, 120_000),
    upgrade.then((r) => assert.fail(`helm returned before the Job's Pod started: ${r.stderr}`)),
  ]);

  // Evict once the bulk phase has written something: through the Eviction API, as a node drain does.
  await waitFor('the bulk phase', async () => {
    const j = await rig.api.find(`/apis/batch/v1/namespaces/${namespace}/jobs/${JOB}`);
    return j?.metadata.annotations?.['mongo2pg.io/phase'] === 'bulk';
  }, 180_000, 100);
  const eviction = await rig.api.call('POST', `/api/v1/namespaces/${namespace}/pods/${first.name}/eviction`, {
    apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: first.name, namespace },
  });
  assert.equal(eviction.status, 201, JSON.stringify(eviction.body));
  assert.equal(await first.exited, 130, 'stopped at a checkpoint by SIGTERM');
  const evicted = await rig.api.find(`/api/v1/namespaces/${namespace}/pods/${first.name}`);
  if (evicted) assert.ok((evicted.status.conditions as { type: string }[]).some((c) => c.type === 'DisruptionTarget'), JSON.stringify(evicted.status));

  const second = await rig.kubelet.waitForRun(namespace, (r) => r.uid !== first.uid, 120_000);
  const result = await upgrade;
  const log = await rig.kubelet.logs(second);
  assert.equal(result.code, 0, `${result.stderr}\n--- replacement pod ---\n${log.slice(-3000)}`);
  assert.equal(await second.exited, 0);
  const skipped = jsonLines(log.split('\n').filter((l) => l.startsWith('{')).join('\n'))
    .filter((l) => l.message === 'task finished' && Number((l.statistics as { skipped?: number } | undefined)?.skipped) > 0);
  assert.ok(skipped.length > 0, `the replacement Pod kept and skipped what the first one migrated:\n${log.slice(-3000)}`);
  const ended = new Date();
  assert.deepEqual(await releaseStatus(rig.api, namespace, RELEASE), { version: 1, status: 'deployed' });
  const done = await rig.api.find(`/apis/batch/v1/namespaces/${namespace}/jobs/${JOB}`);
  assert.ok(done === undefined || jobCondition(done, 'Complete'), 'deleted on success (hook-succeeded) or complete');

  // A clean run of the same source into a fresh target, with the built CLI.
  const clean = await createTestDatabases('eviction-clean');
  dbs.push(clean);
  const cleanRun = await runCli(['migrate'], { ...baseEnv({ ...clean, mongoDb: db.mongoDb }, mkdtempSync(join(tmpdir(), 'mongo2pg-work-'))), CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD });
  assert.equal(cleanRun.code, 0, cleanRun.stdout.slice(-3000));
  const resumed = await tableDigests(db.pgUrl, { comparableAcrossRuns: true });
  assert.ok(Object.keys(resumed).length > 10);
  assert.deepEqual(resumed, await tableDigests(clean.pgUrl, { comparableAcrossRuns: true }));

  // Prometheus scraped the Pushgateway throughout: each panel's query has data over the run.
  await new Promise((r) => setTimeout(r, 3_000)); // one more scrape after the final push
  const empty: string[] = [];
  for (const expr of dashboardExpressions(RELEASE)) {
    if ((await seriesOver(expr, started, new Date(ended.getTime() + 3_000))) === 0) empty.push(expr);
  }
  assert.deepEqual(empty, [], 'dashboard queries without data');
});
