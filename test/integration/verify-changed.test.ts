// Verification after a catch-up (issue 17, VerifyOptions.changed): a bulk data set larger than the
// sample is verified by every document the catch-up wrote, plus the usual sample, plus its main
// table's row count. A wrong row of a listed document is always found, wherever the sample falls;
// a missing row anywhere is found by the count; a data set no larger than the sample is verified in
// full as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient, type Document } from 'mongodb';
import pg from 'pg';
import type { Config } from '../../app/config/load.js';
import { bulkDataSets } from '../../app/datasets/registry.js';
import type { DataSet } from '../../app/datasets/types.js';
import type { ChangedRecords } from '../../app/verify/context.js';
import type { Problem, VerificationReport } from '../../app/verify/types.js';
import { FIXTURE_MASTER_PASSWORD, generateFixtures } from '../fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { migrateInProcess, testConfig, verifyInProcess, workDir } from '../helpers/faults.js';

let db: TestDatabases;
let config: Config;
let pool: pg.Pool;
/** The usage records' `_id`s, ascending. */
let ids: Document['_id'][] = [];

before(async () => {
  db = await createTestDatabases('verify-changed');
  const client = new MongoClient(db.mongoUrl);
  await client.connect();
  try {
    const mongo = client.db(db.mongoDb);
    await generateFixtures(mongo, { seed: 5, orgs: 1, envsPerOrg: 1, usersPerOrg: 1, workflowsPerEnv: 1, executionsPerEnv: 1, usageRecords: 400, messiness: 0, orphans: false, edgeCases: false });
    ids = (await mongo.collection('usage').find({}, { projection: { _id: 1 }, sort: { _id: 1 } }).toArray()).map((d) => d._id);
  } finally {
    await client.close();
  }
  config = testConfig(db, { convert_work_dir: workDir(), convert_verify: 'false' }, FIXTURE_MASTER_PASSWORD);
  const run = await migrateInProcess(config);
  assert.equal(run.error, undefined, String(run.error));
  pool = new pg.Pool({ connectionString: db.pgUrl, max: 2 });
});
after(async () => {
  await pool?.end();
  await db?.cleanup();
});

const usage = (): DataSet => {
  const ds = bulkDataSets(config).find((d) => d.name === 'usage_records');
  assert.ok(ds);
  return ds;
};

/** Twelve documents spread over the collection: what a catch-up "wrote". */
const listed = (): unknown[] => ids.filter((_, i) => i % 33 === 7);

async function verifyUsage(changed: ChangedRecords | undefined, sampleSize = 20): Promise<VerificationReport> {
  return verifyInProcess(config, { dataSets: [usage()], sequences: false, verify: { sampleSize, ...(changed ? { changed: new Map([['usage_records', changed]]) } : {}) } });
}

const problems = (r: VerificationReport): Problem[] => [...r.dataSets.flatMap((d) => d.problems), ...r.tableProblems];
const hex = (id: unknown): string => (id as { toHexString(): string }).toHexString();

test('a large data set with a list of written documents is verified as "changed": the listed documents plus the sample', async () => {
  assert.ok(ids.length >= 400, `fixtures hold ${ids.length} usage records`);
  const written = listed();
  const report = await verifyUsage(new Map([['usage', written]]));
  assert.deepEqual(problems(report), []);
  const [d] = report.dataSets;
  assert.equal(d?.mode, 'changed');
  assert.equal(d?.source, ids.length);
  // Every listed document, and the sample (about 20, one window) without the listed ones it met.
  assert.ok((d?.compared ?? 0) >= written.length + 1 && (d?.compared ?? 0) <= written.length + 25, `compared ${d?.compared}`);
  // Without a list, the same settings verify a sample alone.
  const sampled = await verifyUsage(undefined, 20);
  assert.equal(sampled.dataSets[0]?.mode, 'full', 'under fullLimit, no list: verified in full');
});

test('a wrong row of any listed document is found, wherever the sample falls', async () => {
  const written = listed();
  for (const id of [written[0], written[written.length - 1]]) {
    const key = hex(id);
    await pool.query('UPDATE usage_records SET quantity = quantity + 1 WHERE mongo_id = $1', [key]);
    try {
      for (const seed of [1, 2, 3]) {
        const report = await verifyInProcess(config, { dataSets: [usage()], sequences: false, verify: { sampleSize: 20, seed, changed: new Map([['usage_records', new Map([['usage', written]])]]) } });
        const found = problems(report).filter((p) => p.kind === 'different' && p.id === key);
        assert.equal(found.length, 1, `seed ${seed}: the altered row ${key} is named (${problems(report).map((p) => p.message).join('; ')})`);
        assert.equal(found[0]?.column, 'quantity');
      }
    } finally {
      await pool.query('UPDATE usage_records SET quantity = quantity - 1 WHERE mongo_id = $1', [key]);
    }
  }
});

test('a row missing anywhere fails the main table\'s row count', async () => {
  const unlisted = hex(ids[200]);
  const { rows } = await pool.query('DELETE FROM usage_records WHERE mongo_id = $1 RETURNING *', [unlisted]);
  assert.equal(rows.length, 1);
  try {
    const report = await verifyUsage(new Map([['usage', listed()]]));
    assert.equal(report.ok, false);
    const count = report.tableProblems.find((p) => p.table === 'usage_records');
    assert.equal(count?.kind, 'count', JSON.stringify(report.tableProblems));
    assert.match(count?.message ?? '', /1 row\(s\) missing/);
  } finally {
    const cols = Object.keys(rows[0] as object);
    await pool.query(`INSERT INTO usage_records (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((c) => (rows[0] as Record<string, unknown>)[c]));
  }
});

test('a data set no larger than the sample is verified in full even with a list', async () => {
  const report = await verifyUsage(new Map([['usage', listed()]]), ids.length);
  assert.equal(report.dataSets[0]?.mode, 'full');
  assert.equal(report.dataSets[0]?.compared, ids.length);
  assert.ok(report.ok);
});
