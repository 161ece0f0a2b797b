// Issue 13: one run at a time per target. Two runs started together: one is refused up front
// (exit 3, naming the other run; no deadlock in the schema step), the other ends like a clean
// run. Two re-runs of an interrupted migration started together: one refused, the other resumes
// it with no duplicate-key failures, and the target equals a clean run's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { baseEnv, type CliResult } from '../helpers/cli.js';
import { contentDigests, workDir } from '../helpers/faults.js';
import { FAULT_SETTINGS, baseline, phaseStarted, progress, watch, type Baseline, type WatchedRun } from '../faults/trials.js';

let base: Baseline;

before(async () => {
  base = await baseline('concurrent-runs');
});
after(async () => {
  await base?.cleanup();
});

function envFor(target: TestDatabases, dir = workDir()): Record<string, string> {
  return { ...baseEnv(target, dir), ...FAULT_SETTINGS, API_MONGO_DB: base.source.mongoDb };
}

interface Outcome {
  run: WatchedRun;
  result: CliResult;
  dir: string;
}

/**
 * Two runs of the same command started together, each with its own work dir, or both with `dir`
 * (a resumed migration's earlier reports are there; issue 13 D4 makes them durable elsewhere).
 */
async function together(target: TestDatabases, dir?: string): Promise<Outcome[]> {
  const dirs = dir ? [dir, dir] : [workDir(), workDir()];
  const runs = dirs.map((dir) => watch(['migrate'], envFor(target, dir)));
  const results = await Promise.all(runs.map((r) => r.done));
  return runs.map((run, i) => ({ run, result: results[i] as CliResult, dir: dirs[i] as string }));
}

/** Every error report of a work dir, as one text. */
function reports(dir: string): string {
  return readdirSync(dir).filter((f) => f.endsWith('_migration_errors.log')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

function assertOneRefused(outcomes: Outcome[]): { ran: Outcome } {
  const refused = outcomes.filter((o) => o.result.code === 3);
  assert.equal(refused.length, 1, `exactly one run is refused: exits ${outcomes.map((o) => o.result.code).join(', ')}`);
  const line = refused[0]?.run.lines.find((l) => l.code === 'PREFLIGHT_FAILED');
  assert.equal(line?.check, 'single-run');
  assert.match(String(line?.message), /\[single-run\] another mongo2pg run is migrating into this database \(PostgreSQL session \d+/);
  // Refused before the pre-flight gate: it wrote nothing and started no phase.
  assert.ok(!refused[0]?.run.lines.some((l) => l.message === 'phase started' || l.message === 'migration recorded in the target'));
  const ran = outcomes.find((o) => o.result.code !== 3) as Outcome;
  assert.equal(ran.result.code, base.exitCode, ran.result.stdout.slice(-2500));
  for (const o of outcomes) {
    assert.doesNotMatch(o.result.stdout + o.result.stderr + reports(o.dir), /deadlock detected|duplicate key|23505|40P01/);
  }
  return { ran };
}

test('two runs started together on an empty target: one is refused clearly (exit 3), the other migrates', async () => {
  const target = await createTestDatabases('concurrent-fresh');
  try {
    const { ran } = assertOneRefused(await together(target));
    assert.ok(ran.run.lines.some((l) => l.message === 'verification finished' && l.ok === true));
    assert.deepEqual(await contentDigests(target.pgUrl, base.config), base.digests);
  } finally {
    await target.cleanup();
  }
});

test('two re-runs of an interrupted migration started together: one refused, the other resumes it without duplicate-key failures', async () => {
  const target = await createTestDatabases('concurrent-resume');
  try {
    const dir = workDir();
    const first = watch(['migrate'], envFor(target, dir));
    assert.ok(await first.waitFor(phaseStarted('bulk')));
    const pool = new pg.Pool({ connectionString: target.pgUrl, max: 1 });
    try {
      while ((await progress(target.pgUrl, base.config, 'bulk', pool)) < base.totals.bulk / 3 && first.child.exitCode === null) await sleep(5);
    } finally {
      await pool.end();
    }
    first.child.kill('SIGTERM');
    assert.equal((await first.done).code, 130);
    const { ran } = assertOneRefused(await together(target, dir));
    assert.ok(ran.run.lines.some((l) => l.message === 'verification finished' && l.ok === true));
    assert.deepEqual(await contentDigests(target.pgUrl, base.config), base.digests);
  } finally {
    await target.cleanup();
  }
});
