// Seeded trials (one per three TRIALS, at least four, alternating phases): the MongoDB source (a FerretDB of this
// suite's own) stops and restarts at a random point of a random phase; the run recovers by itself
// (bulk) or a re-run completes it (records), and the target equals a clean run's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueDatabaseName } from '../harness/index.js';
import { restartableFerretDb, type RestartableMongo } from '../helpers/faults.js';
import { seeds, TRIALS } from './config.js';
import { baseline, generate, mongoRestartTrial, type Baseline } from './trials.js';

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

seeds(4, Math.max(4, Math.ceil(TRIALS / 3))).forEach((seed, i) => {
  const phase = i % 2 === 0 ? 'bulk' : 'records';
  test(`MongoDB restart trial seed ${seed} (${phase})`, async () => {
    const r = await mongoRestartTrial(base, 'heavy', seed, mongo, mongoDb, phase);
    assert.ok(r.verified);
    assert.deepEqual(r.differingTables, []);
  });
});
