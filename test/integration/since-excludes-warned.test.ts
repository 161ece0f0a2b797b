// Issue 13: CONVERT_SINCE leaves older usage records out on purpose; the run says so out loud
// with a warning naming how many (values.example.yaml no longer sets it). Without it, no warning.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { baseEnv, jsonLines, runCli } from '../helpers/cli.js';
import { workDir } from '../helpers/faults.js';
import { FIXTURE_MASTER_PASSWORD, SMALL_WORLD, generateSmallWorld } from './preflight-support.js';

let db: TestDatabases;
let older = 0;
const SINCE = '2100-01-01';

before(async () => {
  db = await createTestDatabases('since-excludes-warned');
  const client = await MongoClient.connect(db.mongoUrl);
  try {
    const source = client.db(db.mongoDb);
    await generateSmallWorld(source);
    // What the setting leaves out, by the server's own count: every record before 2100.
    older = await source.collection('usage').countDocuments({ timestamp: { $lt: new Date(`${SINCE}T00:00:00Z`) } });
  } finally {
    await client.close();
  }
});
after(async () => {
  await db?.cleanup();
});

const warnings = (stdout: string): Array<Record<string, unknown>> => jsonLines(stdout).filter((l) => l.level === 'warn' && l.setting === 'CONVERT_SINCE');

test('CONVERT_SINCE set: a warning says how many usage records will NOT be migrated', async () => {
  assert.equal(older, SMALL_WORLD.usageRecords, 'every generated usage record is older than the date');
  const r = await runCli(['preflight'], { ...baseEnv(db, workDir()), CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD, CONVERT_SINCE: SINCE });
  assert.equal(r.code, 0, r.stdout.slice(-2000) + r.stderr);
  const [line, ...more] = warnings(r.stdout);
  assert.equal(more.length, 0);
  assert.equal(line?.data_set, 'usage_records');
  assert.equal(line?.excluded, older);
  assert.equal(line?.message, `CONVERT_SINCE=${SINCE}: about ${older} of ${older} usage_records record(s) are older and will NOT be migrated`);
});

test('CONVERT_SINCE unset: no such warning', async () => {
  const r = await runCli(['preflight'], { ...baseEnv(db, workDir()), CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD });
  assert.equal(r.code, 0, r.stdout.slice(-2000) + r.stderr);
  assert.deepEqual(warnings(r.stdout), []);
});
