// SIGTERM stops a run gracefully: the current chunk or batch commits or rolls back, the stop is
// logged, the exit code is 130, no session is left open and every bulk table holds exactly the
// rows its committed watermark accounts for; a second SIGTERM exits at once (130). A re-run with
// CONVERT_SKIP_EXISTING=true then ends with the clean run's content.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { baseline, sigtermTrial, type Baseline } from '../faults/trials.js';

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
