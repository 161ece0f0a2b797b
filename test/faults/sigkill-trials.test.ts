// TRIALS seeded trials: SIGKILL at a random point of a random phase, a re-run with
// CONVERT_SKIP_EXISTING=true, and the target equal to a clean run's by content digest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seeds, TRIALS } from './config.js';
import { baseline, sigkillTrial, type Baseline, type TrialResult } from './trials.js';

let base: Baseline;
const results: TrialResult[] = [];

before(async () => {
  base = await baseline('trials-sigkill');
});
after(async () => {
  await base?.cleanup();
});

for (const seed of seeds(1, TRIALS)) {
  test(`SIGKILL trial seed ${seed}`, async () => {
    const r = await sigkillTrial(base, 'heavy', seed);
    results.push(r);
    assert.ok(r.verified, 'verified after the re-run');
    assert.deepEqual(r.differingTables, [], `seed ${seed}: killed in ${r.phase} at ${r.progressAtFault}`);
  });
}

test('the kills landed in both phases while the run was going', () => {
  const landed = results.filter((r) => r.landed);
  assert.ok(landed.length >= Math.ceil(results.length / 2), `${landed.length} of ${results.length} kills landed`);
  if (TRIALS >= 4) assert.deepEqual([...new Set(landed.map((r) => r.phase))].sort(), ['bulk', 'records']);
});
