// PostgreSQL ends the run's COPY sessions in the middle of the bulk phase (pg_terminate_backend,
// three times, with small chunks): each range rolls its chunk back and resumes from its committed
// watermark, and the run ends with exactly the clean run's content — nothing lost, nothing twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { baseline, pgTerminateTrial, type Baseline } from '../faults/trials.js';

let base: Baseline;

before(async () => {
  base = await baseline('faults-pg-terminated');
});
after(async () => {
  await base?.cleanup();
});

test('COPY sessions terminated mid-load: the run resumes by itself and equals a clean run', async () => {
  const r = await pgTerminateTrial(base, 'ci', 301, 3);
  assert.ok(r.injections >= 1, `COPY sessions were terminated (${r.injections})`);
  assert.equal(r.faultedExit, base.exitCode, 'the run itself completed, no re-run needed');
  assert.ok(r.verified);
  assert.deepEqual(r.differingTables, []);
});
