// Issue 13, D5: the documented resume path. A run stopped by SIGTERM (exit 130) or killed is
// resumed by running it again with the same settings, no extra flag: the target holds this
// tool's own unfinished migration (mongo2pg.migration_status). The resumed target equals a clean
// run's by content and verifies. A target with rows the tool did not record is still refused
// (exit 3, nothing written). A target whose migration this tool already finished is left alone:
// exit 0, one warning, nothing written (issue 14: the Helm hook left on).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { baseEnv } from '../helpers/cli.js';
import { contentDigests, workDir } from '../helpers/faults.js';
import { FAULT_SETTINGS, baseline, phaseStarted, progress, watch, type Baseline, type Phase } from '../faults/trials.js';
import { targetSnapshot } from './preflight-support.js';

let base: Baseline;

before(async () => {
  base = await baseline('resume-same-settings');
});
after(async () => {
  await base?.cleanup();
});

function envFor(target: TestDatabases, dir = workDir()): Record<string, string> {
  return { ...baseEnv(target, dir), ...FAULT_SETTINGS, API_MONGO_DB: base.source.mongoDb };
}

/** Starts a run and stops it with `signal` once a third of the phase's rows are committed. */
async function stoppedRun(target: TestDatabases, env: Record<string, string>, phase: Phase, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const run = watch(['migrate'], env);
  assert.ok(await run.waitFor(phaseStarted(phase)), 'the phase started');
  const pool = new pg.Pool({ connectionString: target.pgUrl, max: 1 });
  try {
    while ((await progress(target.pgUrl, base.config, phase, pool)) < base.totals[phase] / 3 && run.child.exitCode === null) await sleep(5);
  } finally {
    await pool.end();
  }
  assert.equal(run.child.exitCode, null, 'the run was still going when stopped');
  run.child.kill(signal);
  const r = await run.done;
  return { code: r.code, signal: r.signal };
}

for (const [phase, signal, expected] of [['bulk', 'SIGTERM', 130], ['records', 'SIGKILL', 'SIGKILL']] as const) {
  test(`stopped by ${signal} in the ${phase} phase, the same command again resumes and ends with the clean run's content`, async () => {
    const target = await createTestDatabases(`resume-${phase}`);
    try {
      const env = envFor(target);
      const stopped = await stoppedRun(target, env, phase, signal);
      assert.equal(stopped.signal ?? stopped.code, expected);
      const rerun = watch(['migrate'], env);
      const r = await rerun.done;
      assert.equal(r.code, base.exitCode, `the re-run ends like a clean run: ${r.stdout.slice(-2500)}${r.stderr}`);
      assert.ok(rerun.lines.some((l) => l.check === 'target-empty' && l.status === 'warn' && /resuming this tool's unfinished migration/.test(String(l.message))), 'the gate says it resumes');
      assert.ok(rerun.lines.some((l) => l.resume === true && /^resuming the unfinished migration/.test(String(l.message))));
      assert.ok(rerun.lines.some((l) => l.message === 'verification finished' && l.ok === true), 'the resumed target verifies');
      assert.deepEqual(await contentDigests(target.pgUrl, base.config), base.digests);
    } finally {
      await target.cleanup();
    }
  });
}

test('rows the tool did not write (no migration of its own recorded) are refused: exit 3, nothing written', async () => {
  const target = await createTestDatabases('resume-foreign');
  try {
    const client = new pg.Client({ connectionString: target.pgUrl });
    await client.connect();
    await client.query('CREATE TABLE organizations (id text PRIMARY KEY, name text)');
    await client.query(`INSERT INTO organizations VALUES ('org-foreign', 'Someone else')`);
    await client.end();
    const before = await targetSnapshot(target.pgUrl);
    const run = watch(['migrate'], envFor(target));
    const r = await run.done;
    assert.equal(r.code, 3, r.stdout.slice(-2000));
    const refusal = run.lines.find((l) => l.code === 'PREFLIGHT_FAILED');
    assert.match(String(refusal?.message), /the target database is not empty: organizations \(1 row\)\. It holds no unfinished migration of this tool/);
    assert.equal(await targetSnapshot(target.pgUrl), before);
  } finally {
    await target.cleanup();
  }
});

test('a migration this tool finished is not run again: exit 0, one warning naming it, nothing written', async () => {
  const target = await createTestDatabases('resume-finished');
  try {
    // The fault fixtures hold failing records, so a complete run ends 4 and records `failed` (a
    // re-run would resume it); a run that ends 0 records `finished`, set here directly.
    const env = envFor(target);
    const first = await watch(['migrate'], env).done;
    assert.equal(first.code, base.exitCode);
    const client = new pg.Client({ connectionString: target.pgUrl });
    await client.connect();
    const { rows } = await client.query<{ status: string }>('SELECT status FROM mongo2pg.migration_status');
    assert.deepEqual(rows.map((r) => r.status), [base.exitCode === 0 ? 'finished' : 'failed']);
    await client.query(`UPDATE mongo2pg.migration_status SET status = 'finished', finished_at = now()`);
    await client.end();
    const before = await targetSnapshot(target.pgUrl);
    const again = watch(['migrate'], env);
    const r = await again.done;
    assert.equal(r.code, 0, r.stdout.slice(-2000));
    const told = again.lines.filter((l) => l.message === 'migration already completed');
    assert.equal(told.length, 1, r.stdout.slice(-2000));
    assert.match(String(told[0]?.action), /^nothing was written; switch the migration hook off: helm upgrade /);
    assert.equal(again.lines.filter((l) => l.level === 'error').length, 0);
    assert.equal(await targetSnapshot(target.pgUrl), before);
  } finally {
    await target.cleanup();
  }
});
