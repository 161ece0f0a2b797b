// Issue 17: after an append-only data set's catch-up, its table's digest is the recorded one plus
// what the catch-up inserted minus what it deleted (app/catchup/bulk.ts keeps the delta), not a
// read of the whole table again. Proved here against the real thing: after a catch-up that
// inserted, updated and deleted across data sets, every digest recorded in mongo2pg.table_digests
// equals a fresh full read of its table (or, for tables recorded by row count and horizon alone,
// the count does), a second catch-up (whose ownership check compares them all) succeeds and
// changes nothing, and a later write to a table recorded without a digest is seen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId } from 'mongodb';
import pg from 'pg';
import { checkOwnership } from '../../app/catchup/ownership.js';
import { currentDigest } from '../../app/run/table-digests.js';
import { FIXTURE_MASTER_PASSWORD } from '../fixtures/options.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { catchUpInProcess, changeSource, withSource } from '../helpers/catchup.js';
import { migrateInProcess, silentLogger, testConfig, workDir } from '../helpers/faults.js';
import { generate } from '../faults/trials.js';

const FIXTURES = {
  seed: 1719, orgs: 3, envsPerOrg: 2, usersPerOrg: 4, agentsPerOrg: 1, workflowsPerEnv: 2, executionsPerEnv: 3, recordsPerScope: 2,
  aiSessionsPerOrg: 2, toolCallsPerSession: 2, paymentsPerOrg: 2, usageRecords: 200, auditEvents: 60, applicationAuditEvents: 40,
  events: 60, reportingData: 30, messiness: 0.2, orphans: false, edgeCases: false,
};

let source: TestDatabases;
let target: TestDatabases;

const configOf = (db: TestDatabases) => testConfig({ pgUrl: db.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, { convert_work_dir: workDir() }, FIXTURE_MASTER_PASSWORD);

before(async () => {
  source = await createTestDatabases('catchup-digests-source');
  target = await createTestDatabases('catchup-digests-target');
  await generate(source, FIXTURES);
  const pre = await migrateInProcess(configOf(target));
  assert.equal(pre.error, undefined, String(pre.error));
  // Deletes and updates across data sets (an organisation removed with its usage records, audit
  // events and executions), then new usage records and events arrive after the pre-copy.
  await withSource(source, async (db) => {
    await changeSource(db);
    for (const name of ['usage', 'events']) {
      const kept = await db.collection(name).find({}, { sort: { _id: -1 }, limit: 4 }).toArray();
      assert.ok(kept.length > 0, `the fixture has ${name}`);
      await db.collection(name).insertMany(kept.map((d) => ({ ...d, _id: new ObjectId() })));
    }
  });
});

after(async () => {
  await Promise.allSettled([source?.cleanup(), target?.cleanup()]);
});

test('a digest derived from a catch-up\'s inserts and deletes equals a full read of the table; the next catch-up checks them all', async () => {
  const run = await catchUpInProcess(configOf(target));
  assert.equal(run.error, undefined, String(run.error));
  const usage = run.result?.counts.get('usage_records');
  assert.ok(usage && usage.inserted === 4 && usage.deleted > 0, `usage records inserted and deleted: ${JSON.stringify(usage)}`);
  const how = new Map(run.result?.timings?.bulk.map((b) => [b.name, b.digests]));
  assert.equal(how.get('usage_records'), 'derived', 'usage_records: digest derived, table not read again');
  assert.equal(how.get('events'), 'derived');
  // A table other tables' writes can change (triggers) is recorded once every bulk data set is
  // done, by row count and horizon (no writer running on the server): no table read either.
  assert.equal(how.get('test_workflow_executions'), 'deferred');
  assert.ok((run.result?.timings?.recorded.headers ?? 0) >= 7 && run.result?.timings?.recorded.read === 0, JSON.stringify(run.result?.timings?.recorded));

  const pool = new pg.Pool({ connectionString: target.pgUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ table_name: string; rows: string; digest: string | null; horizon: string | null; dirty: boolean }>('SELECT table_name, rows::text, digest::text, horizon::text, dirty FROM mongo2pg.table_digests ORDER BY 1');
    assert.ok(rows.length > 20);
    let byHeaders = 0;
    for (const r of rows) {
      const now = await currentDigest(pool, r.table_name);
      assert.ok(r.horizon !== null, `${r.table_name}: a horizon is recorded`);
      if (r.digest === null) byHeaders++;
      assert.deepEqual({ table: r.table_name, rows: Number(r.rows), digest: r.digest ?? now.digest, dirty: r.dirty }, { table: r.table_name, rows: now.rows, digest: now.digest, dirty: false }, `${r.table_name}: recorded count (and digest, when recorded) equal a full read`);
    }
    assert.ok(byHeaders >= 7, `${byHeaders} tables recorded by count and horizon`);

    const again = await catchUpInProcess(configOf(target));
    assert.equal(again.error, undefined, String(again.error));
    for (const [name, c] of again.result?.counts ?? []) assert.equal(c.inserted + c.updated + c.deleted, 0, `${name}: nothing left to change`);

    // The application writes a table recorded without a digest: its new row version is seen.
    await pool.query("UPDATE test_workflow_executions SET status = status WHERE id = (SELECT min(id) FROM test_workflow_executions)");
    const owned = await checkOwnership(pool, silentLogger());
    assert.match(owned.alreadyCaughtUp?.changed.join('; ') ?? '', /test_workflow_executions \(\d+ rows recorded at .*rows written since\)/);
  } finally {
    await pool.end();
  }
});
