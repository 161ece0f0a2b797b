// Resume after SIGKILL: the bulk phase restarts after its last committed chunk and ends with
// exactly the source set (no duplicates, no gaps), whatever the point of the kill.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { baseEnv, runCli, spawnCli, taskStatistics } from '../helpers/cli.js';
import { seedOrganizations, seedUsage, usageDoc, withMongo } from '../helpers/seed.js';

const COUNT = 2400;
const sourceIds = Array.from({ length: COUNT }, (_, i) => usageDoc(i)._id.toHexString()).sort();
const dbs: TestDatabases[] = [];

before(async () => {
  for (const label of ['bulk-kill-early', 'bulk-kill-mid', 'bulk-kill-late']) {
    const db = await createTestDatabases(label);
    await withMongo(db.mongoUrl, db.mongoDb, async (m) => {
      await seedOrganizations(m, 3);
      await seedUsage(m, COUNT);
    });
    dbs.push(db);
  }
});
after(async () => {
  await Promise.all(dbs.map((d) => d.cleanup()));
});

async function migratedSoFar(pool: pg.Pool): Promise<number> {
  try {
    const { rows } = await pool.query<{ n: string | null }>("SELECT sum(migrated)::text AS n FROM mongo2pg.bulk_progress WHERE data_set = 'usage_records'");
    return Number(rows[0]?.n ?? 0);
  } catch {
    return 0; // not created yet
  }
}

for (const [index, killAfter] of [[0, 1], [1, 1000], [2, 2000]] as const) {
  test(`killed after ${killAfter} committed usage records, a re-run ends with exactly the source set`, async () => {
    const db = dbs[index] as TestDatabases;
    const env = { ...baseEnv(db, mkdtempSync(join(tmpdir(), 'mongo2pg-work-'))), CONVERT_BULK_WRITE_SIZE: '100', CONVERT_BULK_READ_SIZE: '50', CONVERT_BULK_PARALLEL: '2' };
    const pool = new pg.Pool({ connectionString: db.pgUrl });
    try {
      const { child, done } = spawnCli(['migrate'], env);
      const deadline = Date.now() + 120_000;
      while ((await migratedSoFar(pool)) < killAfter) {
        assert.ok(Date.now() < deadline, 'the run committed its first chunks in time');
        assert.equal(child.exitCode, null, 'the run is still going');
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      const killed = await done;
      assert.equal(killed.signal, 'SIGKILL');
      const partial = Number((await pool.query('SELECT count(*) AS n FROM usage_records')).rows[0].n);
      assert.ok(partial < COUNT, `the kill landed before the end (${partial} rows)`);

      const rerun = await runCli(['migrate'], { ...env, CONVERT_SKIP_EXISTING: 'true' });
      assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
      const ids = (await pool.query<{ mongo_id: string }>('SELECT mongo_id FROM usage_records ORDER BY mongo_id')).rows.map((r) => r.mongo_id);
      assert.equal(ids.length, COUNT);
      assert.deepEqual(ids, sourceIds);
      assert.deepEqual(taskStatistics(rerun.stdout, 'usage_records'), { total: COUNT, successful: COUNT, failed: 0, skipped: 0 });
    } finally {
      await pool.end();
    }
  });
}
