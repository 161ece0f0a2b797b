// The built CLI: `migrate` verifies at the end (CONVERT_VERIFY, on by default) and logs one line
// per data set; `mongo2pg verify` re-runs it on its own and exits 5 when the target differs,
// naming the data set, the record id and the difference; a difference found at the end of a
// migrate run also exits 5.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { FIXTURE_MASTER_PASSWORD, generateFixtures } from '../fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { baseEnv, jsonLines, runCli } from '../helpers/cli.js';
import { workDir } from '../helpers/faults.js';

let db: TestDatabases;
let env: Record<string, string>;
let pool: pg.Pool;

before(async () => {
  db = await createTestDatabases('verify-cli');
  const client = new MongoClient(db.mongoUrl);
  await client.connect();
  try {
    await generateFixtures(client.db(db.mongoDb), {
      seed: 5, orgs: 1, envsPerOrg: 1, usersPerOrg: 2, workflowsPerEnv: 2, executionsPerEnv: 3, recordsPerScope: 1, aiSessionsPerOrg: 1,
      toolCallsPerSession: 1, paymentsPerOrg: 2, usageRecords: 60, auditEvents: 10, applicationAuditEvents: 10, events: 10, reportingData: 10, messiness: 0,
    });
  } finally {
    await client.close();
  }
  env = { ...baseEnv(db, workDir()), CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD };
  pool = new pg.Pool({ connectionString: db.pgUrl, max: 1 });
});
after(async () => {
  await pool?.end();
  await db?.cleanup();
});

test('migrate verifies at the end: one line per data set, then the verdict', async () => {
  const run = await runCli(['migrate'], env);
  assert.equal(run.code, 0, run.stdout.slice(-3000) + run.stderr);
  const lines = jsonLines(run.stdout);
  const verified = lines.filter((l) => l.message === 'data set verified');
  assert.ok(verified.length >= 3, 'a line per data set');
  for (const l of verified) assert.equal(l.source, Number(l.migrated) + Number(l.failed) + Number(l.skipped), String(l.task));
  assert.ok(verified.some((l) => l.task === 'execution_sequences' && l.mode === 'sequences'));
  const verdict = lines.find((l) => l.message === 'verification finished');
  assert.equal(verdict?.ok, true);
  assert.ok(lines.findIndex((l) => l.message === 'run summary') < lines.indexOf(verdict as Record<string, unknown>), 'the statistics come first');
});

test('verify alone: exit 0 when equal, 5 with data set, id and difference when not', async () => {
  const clean = await runCli(['verify'], { ...env, PROGRESS_INTERVAL: '1ms' });
  assert.equal(clean.code, 0, clean.stdout.slice(-3000) + clean.stderr);
  // On its own too, verification reports its progress per data set (issue 16).
  const progress = jsonLines(clean.stdout).filter((l) => l.message === 'verification progress');
  assert.ok(progress.some((l) => l.task === 'usage_records' && typeof l.checked === 'number' && 'eta_seconds' in l), 'verification progress lines');

  const { rows } = await pool.query<{ mongo_id: string; metric: string }>('SELECT mongo_id, metric FROM usage_records ORDER BY mongo_id LIMIT 1');
  const row = rows[0] as { mongo_id: string; metric: string };
  await pool.query("UPDATE usage_records SET metric = 'tampered' WHERE mongo_id = $1", [row.mongo_id]);
  try {
    const dirty = await runCli(['verify'], env);
    assert.equal(dirty.code, 5, dirty.stdout.slice(-3000));
    const last = jsonLines(dirty.stdout).at(-1) as Record<string, unknown>;
    assert.equal(last.exit_code, 5);
    assert.equal(last.code, 'VERIFICATION');
    assert.match(String(last.message), new RegExp(`usage_records: record ${row.mongo_id}: usage_records\\.metric .*is "tampered", the transform gives "${row.metric}"`));
    const problems = last.problems as Array<Record<string, unknown>>;
    assert.deepEqual(problems.map((p) => [p.dataSet, p.id, p.column, p.actual, p.expected]), [['usage_records', row.mongo_id, 'metric', 'tampered', row.metric]]);
  } finally {
    await pool.query('UPDATE usage_records SET metric = $1 WHERE mongo_id = $2', [row.metric, row.mongo_id]);
  }
});

test('a difference found at the end of migrate exits 5; CONVERT_VERIFY=false skips the step', async () => {
  // A row no source record produces, already in the target when a resumed run starts.
  await pool.query("INSERT INTO events (mongo_id, organization_id, type, created_at) VALUES ('eeeeeeeeeeeeeeeeeeeeeeee', 'tkcorg_gone', 'x', now())");
  try {
    const run = await runCli(['migrate'], { ...env, CONVERT_SKIP_EXISTING: 'true' });
    assert.equal(run.code, 5, run.stdout.slice(-3000));
    // The failure comes right before the run's last line (`run finished`: verification failed).
    const [failure, last] = jsonLines(run.stdout).slice(-2);
    assert.equal(last?.message, 'run finished');
    assert.equal(last?.verification, 'failed');
    assert.match(String(failure?.message), /events holds \d+ rows, the source produces \d+: 1 row\(s\) no source record produces \(keys \{eeeeeeeeeeeeeeeeeeeeeeee\}\)/);
    const unverified = await runCli(['migrate'], { ...env, CONVERT_SKIP_EXISTING: 'true', CONVERT_VERIFY: 'false' });
    assert.equal(unverified.code, 0, unverified.stdout.slice(-3000));
    assert.equal(jsonLines(unverified.stdout).some((l) => l.message === 'verification started'), false);
  } finally {
    await pool.query("DELETE FROM events WHERE mongo_id = 'eeeeeeeeeeeeeeeeeeeeeeee'");
  }
});
