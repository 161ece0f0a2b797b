// Seeded trials (one per three TRIALS, at least four): PostgreSQL terminates the run's COPY
// sessions three times during the bulk phase; the run resumes by itself and equals a clean run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seeds, TRIALS } from './config.js';
import { baseline, pgTerminateTrial, type Baseline } from './trials.js';

let base: Baseline;

before(async () => {
  base = await baseline('trials-pg-terminate');
});
after(async () => {
  await base?.cleanup();
});

for (const seed of seeds(3, Math.max(4, Math.ceil(TRIALS / 3)))) {
  test(`COPY terminated trial seed ${seed}`, async () => {
    const r = await pgTerminateTrial(base, 'heavy', seed, 3);
    assert.ok(r.injections >= 1, 'at least one COPY session was terminated');
    assert.equal(r.faultedExit, base.exitCode, 'the run recovered by itself');
    assert.ok(r.verified);
    assert.deepEqual(r.differingTables, []);
  });
}
