/**
 * No silent minute (issue 16): an operator following `kubectl logs` sees a line at least every
 * PROGRESS_INTERVAL in every phase — pre-flight, schema, records, bulk (also while one long COPY
 * chunk runs), sequences and verification. The built CLI migrates a generated control plane with
 * large bulk chunks (so a chunk takes several intervals) and a 1 s interval; the rule, written
 * down before the code: from the JSON log's timestamps, no two consecutive lines are more than
 * PROGRESS_INTERVAL + 2 s apart. Bulk lines count documents read into a running chunk, and
 * verification has its own progress lines (data set, checked, rate, ETA).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { FIXTURE_MASTER_PASSWORD, generateFixtures } from '../test/fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../test/harness/index.js';
import { baseEnv, jsonLines, runCli } from '../test/helpers/cli.js';

const INTERVAL_MS = 1000;
const ALLOWED_GAP_MS = INTERVAL_MS + 2000;

let db: TestDatabases;
let workDir: string;

before(async () => {
  db = await createTestDatabases('logs-no-silent-minute');
  workDir = mkdtempSync(join(tmpdir(), 'logs-no-silent-minute-'));
  const client = new MongoClient(db.mongoUrl);
  await client.connect();
  try {
    await generateFixtures(client.db(db.mongoDb), { seed: 16, orgs: 2, usageRecords: 25_000, events: 5_000 });
  } finally {
    await client.close();
  }
});

after(async () => {
  await db?.cleanup();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('JSON log: no gap between two lines exceeds PROGRESS_INTERVAL + 2 s in any phase', async () => {
  const result = await runCli(['migrate'], {
    ...baseEnv(db, workDir),
    CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD,
    CONVERT_SKIP_INTEGRITY_ERRORS: 'true',
    LOG_FORMAT: 'json',
    PROGRESS_INTERVAL: `${INTERVAL_MS}ms`,
    // One worker, one thread, whole collections in one chunk: a COPY chunk runs for many intervals.
    CONVERT_BULK_PARALLEL: '1',
    CONVERT_BULK_THREADS: '1',
    CONVERT_BULK_WRITE_SIZE: '100000',
  });
  // The run must reach its end: generated data has failures by design (exit 4); how many is not
  // what this test is about, but verification must agree with the source.
  assert.ok(result.code === 0 || result.code === 4, `exit ${result.code}\n${result.stderr}\n${result.stdout.slice(-3000)}`);
  const lines = jsonLines(result.stdout);
  assert.ok(lines.some((l) => l.message === 'verification finished' && l.ok === true), 'verification ran and passed');

  let phase = 'preflight';
  const gaps: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const prev = lines[i - 1] as Record<string, unknown>;
    const line = lines[i] as Record<string, unknown>;
    if (typeof prev.phase === 'string') phase = prev.phase;
    if (prev.message === 'verification started') phase = 'verify';
    const gap = Date.parse(String(line.timestamp)) - Date.parse(String(prev.timestamp));
    assert.ok(Number.isFinite(gap), `line ${i + 1} has a timestamp`);
    if (gap > ALLOWED_GAP_MS) gaps.push(`${gap} ms in ${phase} between ${JSON.stringify(prev.message)} and ${JSON.stringify(line.message)} (line ${i + 1})`);
  }
  assert.deepEqual(gaps, [], `silent stretches longer than ${ALLOWED_GAP_MS} ms`);

  // The bulk phase showed documents read into a chunk before it committed.
  const usage = lines.filter((l) => l.message === 'task progress' && l.task === 'usage_records');
  assert.ok(usage.some((l) => typeof l.in_chunk === 'number' && l.in_chunk > 0 && (l.done as number) < 25_000), 'usage_records progress during its COPY chunk');
  // Verification reports each data set's progress with a rate and an ETA.
  const verifying = lines.filter((l) => l.message === 'verification progress');
  assert.ok(verifying.some((l) => typeof l.task === 'string' && typeof l.checked === 'number' && typeof l.records_per_second === 'number' && 'eta_seconds' in l), 'verification progress lines');
});
