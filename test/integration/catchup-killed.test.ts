// Issue 17: `mongo2pg catch-up` (the built CLI, record-level and bulk data sets) killed by SIGKILL
// in the middle of the record data sets, or in the middle of the bulk data sets (running side by
// side, their tables recorded only once all are done), then run again: the re-run is not refused
// (tables the killed run left dirty are said to be unchecked, the others are checked), and ends
// with the same target as a clean full migration of the final source, verified; a third run
// changes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURE_MASTER_PASSWORD } from '../fixtures/options.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { baseEnv } from '../helpers/cli.js';
import { changeSource, withSource } from '../helpers/catchup.js';
import { contentDigests, migrateInProcess, testConfig, workDir } from '../helpers/faults.js';
import { generate, watch } from '../faults/trials.js';

/** Every kind of data set: the organisation removed takes bulk documents and executions with it. */
const FIXTURES = {
  seed: 1718, orgs: 3, envsPerOrg: 2, usersPerOrg: 4, agentsPerOrg: 1, workflowsPerEnv: 2, executionsPerEnv: 3, recordsPerScope: 2,
  aiSessionsPerOrg: 2, toolCallsPerSession: 2, paymentsPerOrg: 2, usageRecords: 200, auditEvents: 60, applicationAuditEvents: 40,
  events: 60, reportingData: 30, messiness: 0.2, orphans: false, edgeCases: false,
};

let source: TestDatabases;
let target: TestDatabases;
let bulkTarget: TestDatabases;
let reference: TestDatabases;

const configOf = (db: TestDatabases) => testConfig({ pgUrl: db.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, { convert_work_dir: workDir() }, FIXTURE_MASTER_PASSWORD);

before(async () => {
  source = await createTestDatabases('catchup-kill-source');
  target = await createTestDatabases('catchup-kill-target');
  bulkTarget = await createTestDatabases('catchup-kill-bulk-target');
  reference = await createTestDatabases('catchup-kill-reference');
  await generate(source, FIXTURES);
  for (const db of [target, bulkTarget]) {
    const pre = await migrateInProcess(configOf(db));
    assert.equal(pre.error, undefined, String(pre.error));
  }
  await withSource(source, changeSource);
  const clean = await migrateInProcess(configOf(reference));
  assert.equal(clean.error, undefined, String(clean.error));
});

after(async () => {
  await Promise.allSettled([source?.cleanup(), target?.cleanup(), bulkTarget?.cleanup(), reference?.cleanup()]);
});

/** Kills a catch-up of `db` by SIGKILL once `at` is logged, runs it again and checks the re-run converges on the reference. */
async function killedThenRerun(db: TestDatabases, at: (line: Record<string, unknown>) => boolean, where: string, leftDirty: string): Promise<Record<string, string>> {
  const env = { ...baseEnv({ pgUrl: db.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, workDir()), CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD, CONVERT_BATCH_SIZE: '1', PROGRESS_INTERVAL: '1s' };
  const run = watch(['catch-up'], env);
  const hit = await run.waitFor(at);
  assert.ok(hit, `the catch-up reached ${where}: ${run.lines.slice(-5).map((l) => JSON.stringify(l)).join('\n')}`);
  assert.equal(run.child.exitCode, null, 'still running when killed');
  run.child.kill('SIGKILL');
  const killed = await run.done;
  assert.equal(killed.signal, 'SIGKILL');

  const rerun = watch(['catch-up'], env);
  const r = await rerun.done;
  assert.equal(r.code, 0, `the re-run succeeds: ${r.stdout.slice(-3000)}${r.stderr}`);
  const unchecked = rerun.lines.find((l) => /cannot be checked/.test(String(l.message)));
  assert.ok(unchecked, 'the re-run says which tables it could not check');
  assert.ok((unchecked.tables as string[]).includes(leftDirty), JSON.stringify(unchecked));
  assert.ok(rerun.lines.some((l) => l.message === 'verification finished' && l.ok === true), 'the re-run verifies');
  assert.deepEqual(await contentDigests(db.pgUrl, configOf(db)), await contentDigests(reference.pgUrl, configOf(reference)));
  return env;
}

test('catch-up killed by SIGKILL in the bulk data sets, run again: the same target as a clean migration of the final source, verified', async () => {
  // Usage records and executions run side by side; their tables stay dirty until both are done.
  await killedThenRerun(bulkTarget, (l) => l.message === 'catch-up task started' && l.task === 'test_workflow_executions', 'the executions', 'test_workflow_executions');
});

test('catch-up killed by SIGKILL mid-way, run again: the same target as a clean migration of the final source, verified', async () => {
  // Users and organisations have been written; the credentials are next.
  const env = await killedThenRerun(target, (l) => l.message === 'task started' && l.phase === 'catch-up' && l.task === 'credentials', 'the credentials', 'credentials');

  // And a third run finds the target as it left it: every table checked, nothing to change.
  const third = watch(['catch-up'], env);
  const t = await third.done;
  assert.equal(t.code, 0, t.stdout.slice(-2000));
  const summary = third.lines.find((l) => l.message === 'catch-up summary');
  const totals = summary?.totals as { inserted: number; updated: number; deleted: number };
  assert.deepEqual([totals.inserted, totals.updated, totals.deleted], [0, 0, 0]);
});
