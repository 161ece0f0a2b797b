// Seeded trials (one per three TRIALS, at least three): the MongoDB source (a FerretDB of this
// suite's own) stops and restarts at a random point of a random phase; the run recovers by itself
// (bulk) or a re-run completes it (records), and the target equals a clean run's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueDatabaseName } from '../harness/index.js';
import { restartableFerretDb, type RestartableMongo } from '../helpers/faults.js';
import { seeds, TRIALS } from './config.js';
import { baseline, generate, mongoRestartTrial, trialPoint, type Baseline } from './trials.js';

let base: Baseline;
let mongo: RestartableMongo;
const mongoDb = uniqueDatabaseName('trials-mongo-restart');

before(async () => {
  base = await baseline('trials-mongo-restart');
  mongo = await restartableFerretDb();
  await generate({ mongoUrl: mongo.url, mongoDb });
});
after(async () => {
  await mongo?.dispose();
  await base?.cleanup();
});

for (const seed of seeds(4, Math.max(3, Math.ceil(TRIALS / 3)))) {
  test(`MongoDB restart trial seed ${seed}`, async () => {
    const r = await mongoRestartTrial(base, 'heavy', seed, mongo, mongoDb, trialPoint(seed).phase);
    assert.ok(r.verified);
    assert.deepEqual(r.differingTables, []);
  });
}
