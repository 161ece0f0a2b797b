// Issue 13 fault trial, seeded and bounded for CI (the heavy version is
// test/faults/mixed-ids-trials.test.ts): every bulk collection mixes `_id` types and holds rows
// COPY refuses; SIGKILL in each phase, then a re-run with CONVERT_SKIP_EXISTING=true in a fresh
// work dir. The target equals a clean run's by content digest, verifies, and its error reports
// (rendered from PostgreSQL) equal the clean run's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { addMixedIdsAndBadRows } from '../fixtures/mixed-ids.js';
import { baseline, reportLines, sigkillTrial, type Baseline } from '../faults/trials.js';

let base: Baseline;

before(async () => {
  base = await baseline('faults-mixed-ids', undefined, addMixedIdsAndBadRows);
});
after(async () => {
  await base?.cleanup();
});

test('the clean run reads every _id type of every bulk collection and reports what it cannot key', async () => {
  const lines = reportLines(base.workDir);
  for (const file of ['usage_records', 'audit_log_events', 'application_audit_events', 'events', 'reporting_data', 'test_workflow_executions']) {
    const own = lines.filter((l) => l.startsWith(`${file}_migration_errors.log `));
    assert.ok(own.some((l) => / mixed-id-\d+ /.test(l)), `${file}: a string _id is reported`);
    assert.ok(own.some((l) => l.includes('{"$date":{"$numberLong":')), `${file}: a Date _id is reported as canonical Extended JSON`);
    assert.ok(own.some((l) => l.includes('{"mixed":{"$numberInt":')), `${file}: a nested-document _id is reported`);
  }
  // The usage values COPY refuses (found in the source) are reported by their ObjectId as write failures.
  const client = new MongoClient(base.source.mongoUrl);
  await client.connect();
  try {
    const bad = await client.db(base.source.mongoDb).collection('usage').find({ value: '1e200000' }).toArray();
    assert.equal(bad.length, 3);
    for (const d of bad) assert.ok(lines.includes(`usage_records_migration_errors.log usage ${String(d._id)} SINK_WRITE`), `${String(d._id)} reported`);
  } finally {
    await client.close();
  }
});

for (const [seed, phase] of [[135, 'bulk'], [132, 'records']] as const) {
  test(`killed during the ${phase} phase (seed ${seed}), resumed in a fresh work dir: the clean run's target, verification and reports`, async () => {
    const r = await sigkillTrial(base, 'ci', seed, phase, true);
    assert.ok(r.landed, 'the kill came while the run was going');
    assert.equal(r.faultedExit, 'SIGKILL');
    assert.ok(r.verified, 'the re-run verified source and target');
    assert.deepEqual(r.differingTables, []);
    assert.ok(r.reportsEqual, 'the fresh work dir holds the clean run\'s error reports');
  });
}
