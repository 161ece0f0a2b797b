// Seeded SIGTERM trials (one per three TRIALS, at least four, both phases): a graceful stop (exit 130, a
// consistent checkpoint) or, every other trial, two signals (exit at once); then a re-run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seeds, TRIALS } from './config.js';
import { baseline, sigtermTrial, type Baseline } from './trials.js';

let base: Baseline;

before(async () => {
  base = await baseline('trials-sigterm');
});
after(async () => {
  await base?.cleanup();
});

seeds(2, Math.max(4, Math.ceil(TRIALS / 3))).forEach((seed, i) => {
  const twice = i % 2 === 1;
  const phase = i % 4 < 2 ? 'bulk' : 'records';
  test(`SIGTERM${twice ? ' twice' : ''} trial seed ${seed} (${phase})`, async () => {
    const r = await sigtermTrial(base, 'heavy', seed, phase, twice);
    // Twice: 130, or ended by the second signal's default action during teardown after the stop was logged.
    if (r.landed && r.injections > 0) assert.ok(r.faultedExit === 130 || (twice && r.faultedExit === 'SIGTERM'), String(r.faultedExit));
    assert.ok(r.verified);
    assert.deepEqual(r.differingTables, []);
  });
});
