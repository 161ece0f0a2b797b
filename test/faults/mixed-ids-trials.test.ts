// TRIALS seeded trials on a source whose every bulk collection mixes `_id` types (ObjectId, string,
// int, double, Date, bool, nested document) and holds rows COPY refuses: SIGKILL at a random point,
// a re-run with CONVERT_SKIP_EXISTING=true in a fresh, empty work dir (a new pod), and the target,
// its verification and its error reports equal to a clean run's (issue 13).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addMixedIdsAndBadRows } from '../fixtures/mixed-ids.js';
import { seeds, TRIALS } from './config.js';
import { baseline, sigkillTrial, type Baseline } from './trials.js';

let base: Baseline;

before(async () => {
  base = await baseline('trials-mixed-ids', undefined, addMixedIdsAndBadRows);
});
after(async () => {
  await base?.cleanup();
});

for (const seed of seeds(5, TRIALS)) {
  test(`mixed _id types, SIGKILL and a fresh work dir, seed ${seed}`, async () => {
    const r = await sigkillTrial(base, 'heavy', seed, undefined, true);
    assert.ok(r.verified, 'verified after the re-run');
    assert.deepEqual(r.differingTables, [], `seed ${seed}: killed in ${r.phase} at ${r.progressAtFault}`);
    assert.ok(r.reportsEqual, 'the fresh work dir holds the clean run\'s error reports');
  });
}
