// The MongoDB source stops mid-cursor and comes back on the same port and data (a FerretDB of this
// test's own): during the bulk phase the ranges resume from their watermarks and the run ends by
// itself; during the record phase the run waits for the server or stops, and then a re-run with
// CONVERT_SKIP_EXISTING=true completes it. Either way the target equals a clean run's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueDatabaseName } from '../harness/index.js';
import { restartableFerretDb, type RestartableMongo } from '../helpers/faults.js';
import { baseline, generate, mongoRestartTrial, type Baseline } from '../faults/trials.js';

let base: Baseline;
let mongo: RestartableMongo;
const mongoDb = uniqueDatabaseName('faults-mongo-restart');

before(async () => {
  base = await baseline('faults-mongo-restarted');
  mongo = await restartableFerretDb();
  await generate({ mongoUrl: mongo.url, mongoDb });
});
after(async () => {
  await mongo?.dispose();
  await base?.cleanup();
});

test('restarted during the bulk phase: the ranges resume and the run completes by itself', async () => {
  const r = await mongoRestartTrial(base, 'ci', 401, mongo, mongoDb, 'bulk');
  assert.ok(r.landed);
  assert.equal(r.faultedExit, base.exitCode, 'no re-run was needed');
  assert.ok(r.verified);
  assert.deepEqual(r.differingTables, []);
});

test('restarted during the record phase: the run continues, or a re-run completes it', async () => {
  const r = await mongoRestartTrial(base, 'ci', 402, mongo, mongoDb, 'records');
  assert.ok(r.landed);
  assert.ok(r.verified);
  assert.deepEqual(r.differingTables, []);
});
