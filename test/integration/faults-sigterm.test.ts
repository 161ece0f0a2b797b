// SIGTERM stops a run gracefully: the current chunk or batch commits or rolls back, the stop is
// logged, the exit code is 130, no session is left open and every bulk table holds exactly the
// rows its committed watermark accounts for; a second SIGTERM exits at once (130). A re-run with
// CONVERT_SKIP_EXISTING=true then ends with the clean run's content.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases } from '../harness/index.js';
import { baseEnv } from '../helpers/cli.js';
import { workDir } from '../helpers/faults.js';
import { FAULT_SETTINGS, baseline, phaseStarted, sigtermTrial, watch, type Baseline } from '../faults/trials.js';

let base: Baseline;

before(async () => {
  base = await baseline('faults-sigterm');
});
after(async () => {
  await base?.cleanup();
});

test('SIGTERM during the bulk phase: exit 130 at a consistent checkpoint, the re-run completes it', async () => {
  const r = await sigtermTrial(base, 'ci', 201, 'bulk');
  assert.ok(r.landed, 'the signal came while the run was going');
  assert.equal(r.faultedExit, 130);
  assert.ok(r.verified);
  assert.deepEqual(r.differingTables, []);
});

test('SIGTERM twice during the record phase: exit 130 at once, the re-run completes it', async () => {
  const r = await sigtermTrial(base, 'ci', 202, 'records', true);
  assert.ok(r.landed);
  assert.equal(r.faultedExit, 130);
  assert.ok(r.verified);
  assert.deepEqual(r.differingTables, []);
});

test('a second SIGTERM after the stop was logged still exits 130, not a crash', async () => {
  const target = await createTestDatabases('faults-sigterm-late');
  try {
    const run = watch(['migrate'], { ...baseEnv(target, workDir()), ...FAULT_SETTINGS, API_MONGO_DB: base.source.mongoDb });
    await run.waitFor(phaseStarted('records'));
    run.child.kill('SIGTERM');
    const stopped = await run.waitFor((l) => l.code === 'INTERRUPTED', 30_000);
    assert.ok(stopped, 'the graceful stop was logged');
    run.child.kill('SIGTERM');
    const result = await run.done;
    assert.equal(result.code, 130, result.stderr.slice(-2000));
    assert.equal(result.stderr.includes('write after end'), false, result.stderr);
  } finally {
    await target.cleanup();
  }
});
