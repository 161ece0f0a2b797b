/**
 * Metrics against the real Prometheus Pushgateway the test runner started: while the built CLI
 * runs, intermediate pushes show up (result "running", partial counts); after it, the gateway's
 * /metrics carries final counts equal to the run's statistics. A gateway that is down never fails
 * the migration.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectId } from 'mongodb';
import { PUSHGATEWAY_URL_ENV, createTestDatabases, freePort, type TestDatabases } from '../test/harness/index.js';
import { baseEnv, jsonLines, runCli, spawnCli } from '../test/helpers/cli.js';
import { seedOrganizations, seedUsage, withMongo } from '../test/helpers/seed.js';

const ORGS = 4;
const USAGE = 6000;

let db: TestDatabases;
let workDir: string;

before(async () => {
  db = await createTestDatabases('progress-pushgateway');
  workDir = mkdtempSync(join(tmpdir(), 'progress-pushgateway-'));
  await withMongo(db.mongoUrl, db.mongoDb, async (m) => {
    await seedOrganizations(m, ORGS);
    await seedUsage(m, USAGE);
    // Two records that fail (no value), so the failed outcome is non-zero.
    for (let i = 0; i < 2; i++) await m.collection('usage').insertOne({ _id: new ObjectId(), organizationId: 'tkcorg_0000000000000000', metric: 'm', timestamp: new Date('2025-06-01T00:00:00Z') });
  });
});

after(async () => {
  await db?.cleanup();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function gatewayUrl(): string {
  const url = process.env[PUSHGATEWAY_URL_ENV];
  assert.ok(url, `${PUSHGATEWAY_URL_ENV} is not set: run through npm test (scripts/test.ts)`);
  return url.replace(/\/$/, '');
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format (what Prometheus scrapes) into samples. */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, '$1');
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

/** Our group's samples on the gateway: job="mongo2pg", release=<release>. */
async function scrape(release: string): Promise<Sample[]> {
  const res = await fetch(`${gatewayUrl()}/metrics`);
  assert.equal(res.status, 200);
  return parseExposition(await res.text()).filter((s) => s.labels.job === 'mongo2pg' && s.labels.release === release);
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

test('intermediate pushes during the run; final counts on the gateway equal the statistics', async () => {
  const release = `e2e-${process.pid}-${Date.now()}`;
  const run = spawnCli(['migrate'], {
    ...baseEnv(db, workDir),
    PUSHGATEWAY_URL: gatewayUrl(),
    PUSHGATEWAY_INTERVAL: '100ms',
    RELEASE_NAME: release,
    // Small chunks, so the bulk phase takes several commits and pushes.
    CONVERT_BULK_WRITE_SIZE: '200',
    CONVERT_BULK_READ_SIZE: '200',
    CONVERT_BULK_PARALLEL: '1',
  });
  let exited = false;
  void run.done.then(() => (exited = true));

  // Watch the gateway like Prometheus would, only faster.
  const seen: { running: boolean; phase: string | undefined; migrated: number | undefined }[] = [];
  while (!exited) {
    const samples = await scrape(release).catch(() => []);
    if (samples.length > 0) {
      seen.push({
        running: value(samples, 'mongo2pg_result', { result: 'running' }) === 1,
        phase: samples.find((s) => s.name === 'mongo2pg_phase' && s.value === 1)?.labels.phase,
        migrated: value(samples, 'mongo2pg_records', { data_set: 'usage_records', outcome: 'migrated' }),
      });
    }
    await sleep(40);
  }
  const result = await run.done;
  assert.equal(result.code, 4, result.stderr + result.stdout.slice(-3000));

  const intermediate = seen.filter((s) => s.running);
  assert.ok(intermediate.length > 0, 'saw pushes while the run was going');
  assert.ok(intermediate.some((s) => s.phase === 'records' || s.phase === 'bulk'), `phases seen: ${[...new Set(seen.map((s) => s.phase))].join(', ')}`);
  assert.ok(intermediate.some((s) => s.migrated !== undefined && s.migrated > 0 && s.migrated < USAGE), `usage_records counts seen while running: ${[...new Set(intermediate.map((s) => s.migrated))].join(', ')}`);

  const lines = jsonLines(result.stdout);
  const finals = await scrape(release);
  const tasks = lines.filter((l) => l.message === 'task finished').map((l) => String(l.task));
  assert.ok(tasks.includes('organizations') && tasks.includes('usage_records'), tasks.join(', '));
  // Every data set of the run, not just the two with data: all final values equal the statistics.
  for (const task of tasks) {
    const line = lines.find((l) => l.message === 'task finished' && l.task === task);
    const stats = line?.statistics as { total: number; successful: number; failed: number; skipped: number; records_per_second: number; duration_seconds: number };
    assert.ok(stats, `statistics for ${task}`);
    const ds = { data_set: task };
    assert.deepEqual(
      {
        migrated: value(finals, 'mongo2pg_records', { ...ds, outcome: 'migrated' }),
        failed: value(finals, 'mongo2pg_records', { ...ds, outcome: 'failed' }),
        skipped: value(finals, 'mongo2pg_records', { ...ds, outcome: 'skipped' }),
        source: value(finals, 'mongo2pg_source_records', ds),
        ratio: value(finals, 'mongo2pg_task_progress_ratio', ds),
      },
      { migrated: stats.successful, failed: stats.failed, skipped: stats.skipped, source: stats.total, ratio: 1 },
      task,
    );
    assert.ok(Math.abs((value(finals, 'mongo2pg_task_records_per_second', ds) ?? -1) - stats.records_per_second) < 0.01);
    assert.ok(Math.abs((value(finals, 'mongo2pg_task_duration_seconds', ds) ?? -1) - stats.duration_seconds) < 0.002);
  }
  assert.equal(value(finals, 'mongo2pg_records', { data_set: 'usage_records', outcome: 'failed' }), 2);
  assert.equal(value(finals, 'mongo2pg_result', { result: 'failed' }), 1);
  assert.equal(value(finals, 'mongo2pg_result', { result: 'running' }), 0);
  assert.equal(value(finals, 'mongo2pg_phase', { phase: 'failed' }), 1);
  assert.equal(value(finals, 'mongo2pg_up'), 0);
  assert.equal(value(finals, 'mongo2pg_tasks', { state: 'done' }), tasks.length);
  assert.equal(value(finals, 'mongo2pg_tasks', { state: 'planned' }), tasks.length);
  assert.ok((value(finals, 'mongo2pg_end_time_seconds') ?? 0) >= (value(finals, 'mongo2pg_start_time_seconds') ?? Infinity));
  assert.equal(value(finals, 'mongo2pg_last_success_time_seconds'), undefined, 'a failed run has no success time');
});

test('a successful run ends with result succeeded, up 1 and a last-success time', async () => {
  const clean = await createTestDatabases('progress-pushgateway-ok');
  try {
    await withMongo(clean.mongoUrl, clean.mongoDb, async (m) => {
      await seedOrganizations(m, 3);
      await seedUsage(m, 500);
    });
    const release = `e2e-ok-${process.pid}-${Date.now()}`;
    const result = await runCli(['migrate'], { ...baseEnv(clean, workDir), PUSHGATEWAY_URL: gatewayUrl(), RELEASE_NAME: release });
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const finals = await scrape(release);
    assert.equal(value(finals, 'mongo2pg_result', { result: 'succeeded' }), 1);
    assert.equal(value(finals, 'mongo2pg_up'), 1);
    assert.equal(value(finals, 'mongo2pg_phase', { phase: 'done' }), 1);
    assert.equal(value(finals, 'mongo2pg_records', { data_set: 'usage_records', outcome: 'migrated' }), 500);
    assert.ok((value(finals, 'mongo2pg_last_success_time_seconds') ?? 0) > 0);
  } finally {
    await clean.cleanup();
  }
});

test('a Pushgateway that is down does not fail the migration', async () => {
  const down = await createTestDatabases('progress-pushgateway-down');
  try {
    await withMongo(down.mongoUrl, down.mongoDb, (m) => seedOrganizations(m, 2));
    const port = await freePort();
    const result = await runCli(['migrate'], { ...baseEnv(down, workDir), PUSHGATEWAY_URL: `http://127.0.0.1:${port}`, PUSHGATEWAY_INTERVAL: '100ms' });
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const warnings = jsonLines(result.stdout).filter((l) => l.level === 'warn' && String(l.message).startsWith('cannot push metrics'));
    assert.equal(warnings.length, 1, 'the failure is logged once');
  } finally {
    await down.cleanup();
  }
});
