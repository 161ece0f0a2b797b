// SIGKILL at a seeded random point of each phase, then a re-run with CONVERT_SKIP_EXISTING=true:
// the target equals a clean run's by content digest of every written table, and verifies.
// The heavy version (TRIALS seeded trials) is test/faults/sigkill-trials.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { baseline, sigkillTrial, type Baseline } from '../faults/trials.js';

let base: Baseline;

before(async () => {
  base = await baseline('faults-killed');
});
after(async () => {
  await base?.cleanup();
});

for (const [seed, phase] of [[101, 'records'], [102, 'bulk']] as const) {
  test(`killed during the ${phase} phase (seed ${seed}): the re-run ends with the clean run's content`, async () => {
    const r = await sigkillTrial(base, 'ci', seed, phase);
    assert.ok(r.landed, 'the kill came while the run was going');
    assert.equal(r.faultedExit, 'SIGKILL');
    assert.ok(r.verified, 'the re-run verified source and target');
    assert.deepEqual(r.differingTables, []);
    assert.ok(r.digestsEqual);
  });
}

// Issue 13, D4: the replacement of a killed pod starts with an empty work dir; failures of chunks
// committed before the kill must still be reported (they are stored with the chunk in PostgreSQL).
// Seed 109 kills after about 80% of the bulk phase, once chunks with failures have committed.
test('killed late in the bulk phase (seed 109), resumed in a fresh work dir: reports complete, verification passes', async () => {
  const r = await sigkillTrial(base, 'ci', 109, 'bulk', true);
  assert.ok(r.landed, 'the kill came while the run was going');
  assert.equal(r.faultedExit, 'SIGKILL');
  assert.equal(r.rerunExit, base.exitCode, 'the re-run ends like a clean run');
  assert.ok(r.verified, 'the re-run verified source and target');
  assert.deepEqual(r.differingTables, []);
  assert.ok(r.reportsEqual, 'the fresh work dir holds the clean run\'s error reports');
});
