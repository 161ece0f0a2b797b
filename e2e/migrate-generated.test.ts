// The whole migration through the built CLI on a generated control plane (every data set, messy
// documents, orphans): the accounting identity holds for every data set against the generator's
// manifest; a dry run writes no data row; a run killed during the record-level phase and re-run
// with CONVERT_SKIP_EXISTING ends with exactly what a clean run produces.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { FIXTURE_MASTER_PASSWORD, generateFixtures, type FixtureManifest } from '../test/fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../test/harness/index.js';
import { baseEnv, jsonLines, runCli, spawnCli, taskStatistics } from '../test/helpers/cli.js';

const dbs: TestDatabases[] = [];
let manifest: FixtureManifest;
let source: TestDatabases;

async function fresh(label: string): Promise<TestDatabases> {
  const db = await createTestDatabases(label);
  dbs.push(db);
  // Every run reads the one generated source database.
  return { ...db, mongoDb: source.mongoDb };
}

function env(db: TestDatabases, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...baseEnv(db, mkdtempSync(join(tmpdir(), 'mongo2pg-work-'))),
    CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD,
    CONVERT_SKIP_INTEGRITY_ERRORS: 'true',
    CONVERT_BATCH_SIZE: '20',
    CONVERT_WORKERS: '3',
    CONVERT_BULK_WRITE_SIZE: '200',
    ...extra,
  };
}

/**
 * Order-independent digest of every table of the public schema. Columns a run fills on its own
 * (DEFAULT now(), and credential envelopes, which are encrypted with fresh salt and nonce) are
 * left out; verification compares those by decryption.
 */
async function digest(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: cols } = await client.query<{ table_name: string; column_name: string }>(`
      SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> 'goose_db_version'
         AND coalesce(column_default, '') NOT LIKE 'now()%'
         AND NOT (table_name = 'credentials' AND column_name = 'secret_envelope')
       ORDER BY table_name, ordinal_position`);
    const byTable = new Map<string, string[]>();
    for (const c of cols) byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), `"${c.column_name}"`]);
    const out: Record<string, string> = {};
    for (const [table, columns] of byTable) {
      const { rows } = await client.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(r, '|' ORDER BY r), '')) AS d FROM (SELECT ROW(${columns.join(', ')})::text AS r FROM "${table}") x`);
      out[table] = `${rows[0].n}:${rows[0].d}`;
    }
    return out;
  } finally {
    await client.end();
  }
}

before(async () => {
  source = await createTestDatabases('migrate-generated-source');
  dbs.push(source);
  const client = new MongoClient(source.mongoUrl);
  await client.connect();
  try {
    manifest = await generateFixtures(client.db(source.mongoDb), { seed: 7, orgs: 2, envsPerOrg: 2, executionsPerEnv: 6, usageRecords: 400, auditEvents: 60, applicationAuditEvents: 40, events: 60, reportingData: 30, messiness: 0.2, orphans: true });
  } finally {
    await client.close();
  }
});
after(async () => {
  await Promise.all(dbs.map((d) => d.cleanup()));
});

test('every data set accounts for each source record: total = successful + failed + skipped = the manifest', async () => {
  const target = await fresh('migrate-generated-full');
  const result = await runCli(['migrate'], env(target));
  const lines = jsonLines(result.stdout);
  const finished = lines.filter((l) => l.message === 'task finished').map((l) => l.task as string);
  assert.ok(finished.length >= 30, `all data sets ran (${finished.length})`);
  for (const [dataSet, expected] of Object.entries(manifest.dataSets)) {
    const stats = taskStatistics(result.stdout, dataSet);
    assert.ok(stats, `statistics for ${dataSet}`);
    assert.equal(stats.total, stats.successful + stats.failed + stats.skipped, `${dataSet}: total = successful + failed + skipped`);
    assert.equal(stats.total, expected, `${dataSet}: every source record counted`);
  }
  // Failures are the documented edge cases only; the run says so with exit code 4.
  const failed = Object.keys(manifest.dataSets).filter((d) => (taskStatistics(result.stdout, d)?.failed ?? 0) > 0);
  assert.equal(result.code, failed.length > 0 ? 4 : 0, result.stderr + result.stdout.slice(-2000));
});

test('a dry run reads and transforms everything and leaves not a single data row', async () => {
  const target = await fresh('migrate-generated-dry');
  const result = await runCli(['migrate'], env(target, { CONVERT_DRY_RUN: 'true' }));
  assert.ok(result.code === 0 || result.code === 4, result.stderr + result.stdout.slice(-2000));
  for (const [dataSet, expected] of Object.entries(manifest.dataSets)) {
    assert.equal(taskStatistics(result.stdout, dataSet)?.total, expected, `${dataSet} read in the dry run`);
  }
  const client = new pg.Client({ connectionString: target.pgUrl });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
    assert.equal(rows[0].n, 0, 'no table was even created');
  } finally {
    await client.end();
  }
});

test('killed during the record-level phase and re-run with skip-existing: the target equals a clean run', async () => {
  const clean = await fresh('migrate-generated-clean');
  const cleanRun = await runCli(['migrate'], env(clean));
  assert.ok(cleanRun.code === 0 || cleanRun.code === 4);

  const target = await fresh('migrate-generated-killed');
  const first = spawnCli(['migrate'], env(target, { CONVERT_BATCH_SIZE: '5', CONVERT_WORKERS: '1' }));
  const pool = new pg.Pool({ connectionString: target.pgUrl });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = await pool.query("SELECT to_regclass('environments') IS NOT NULL AS ready").catch(() => ({ rows: [{ ready: false }] }));
      if (rows[0]?.ready && (await pool.query('SELECT count(*)::int AS n FROM environments')).rows[0].n > 0) break;
      assert.ok(Date.now() < deadline && first.child.exitCode === null, 'the record phase started writing');
      await new Promise((r) => setTimeout(r, 25));
    }
    first.child.kill('SIGKILL');
    assert.equal((await first.done).signal, 'SIGKILL');
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM mongo2pg.bulk_progress").catch(() => ({ rows: [{ n: 0 }] }));
    assert.equal(rows[0].n, 0, 'killed before the bulk phase');
  } finally {
    await pool.end();
  }
  const rerun = await runCli(['migrate'], env(target, { CONVERT_SKIP_EXISTING: 'true' }));
  assert.ok(rerun.code === 0 || rerun.code === 4, rerun.stderr + rerun.stdout.slice(-2000));
  const expected = await digest(clean.pgUrl);
  assert.ok(Object.values(expected).filter((d) => !d.startsWith('0:')).length >= 25, `most tables hold rows: ${JSON.stringify(expected)}`);
  assert.deepEqual(await digest(target.pgUrl), expected);
});
