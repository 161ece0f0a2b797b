// A bulk record with a dangling reference stops the run cleanly (the open COPY is failed and the
// chunk rolled back, no hang), or with CONVERT_SKIP_INTEGRITY_ERRORS is skipped and reported.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageRecords } from '../../app/datasets/bulk/usage-records.js';
import { IntegrityError } from '../../app/errors.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { environmentKey } from '../../app/engine/integrity.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine } from '../helpers/engine.js';
import { envId, orgId, seedUsage, usageDoc, withMongo } from '../helpers/seed.js';

const COUNT = 300;
let db: TestDatabases;

before(async () => {
  db = await createTestDatabases('bulk-integrity-abort');
  await withMongo(db.mongoUrl, db.mongoDb, (m) => seedUsage(m, COUNT));
});
after(async () => {
  await db.cleanup();
});

/** Organisations 0 and 1 and their environments exist; organisation 2 does not. */
function knowOrgs01(known: { add(kind: string, id: string): void }): void {
  for (const i of [0, 1]) {
    known.add('organization', orgId(i));
    for (const k of [0, 1]) known.add('environment', environmentKey(orgId(i), envId(i, k)));
  }
}

test('by default the first dangling reference stops the run and nothing of its chunk lands', async () => {
  const engine = await testEngine(db, { convert_bulk_write_size: '50', convert_bulk_parallel: '1', convert_work_dir: mkdtempSync(join(tmpdir(), 'mongo2pg-work-')) });
  try {
    await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
    knowOrgs01(engine.ctx.known);
    const started = Date.now();
    await assert.rejects(runBulkPhase(engine.ctx, [usageRecords(null)], () => undefined), (err: unknown) => err instanceof IntegrityError && /organizationId references organization "tkcorg_0000000000000002"/.test(err.message) && /CONVERT_SKIP_INTEGRITY_ERRORS/.test(err.message));
    assert.ok(Date.now() - started < 30_000, 'the run stops promptly');
    // usageDoc(2) is the first record of organisation 2: the first chunk rolled back.
    const { rows } = await engine.pool.query('SELECT count(*)::int AS n FROM usage_records');
    assert.equal(rows[0].n, 0);
    assert.equal((await engine.pool.query('SELECT 1 AS ok')).rows[0].ok, 1, 'connections are usable afterwards');
  } finally {
    await engine.close();
  }
});

test('with CONVERT_SKIP_INTEGRITY_ERRORS the orphans are skipped and reported, the rest lands', async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mongo2pg-work-'));
  const engine = await testEngine(db, { convert_bulk_write_size: '50', convert_skip_integrity_errors: 'true', convert_work_dir: workDir });
  try {
    knowOrgs01(engine.ctx.known);
    await engine.pool.query('TRUNCATE usage_records');
    await engine.pool.query('DROP SCHEMA IF EXISTS mongo2pg CASCADE');
    const [stats] = await runBulkPhase(engine.ctx, [usageRecords(null)], () => undefined);
    const orphans = Array.from({ length: COUNT }, (_, i) => i).filter((i) => i % 3 === 2);
    assert.deepEqual({ total: stats?.total, successful: stats?.successful, failed: stats?.failed, skipped: stats?.skipped }, { total: COUNT, successful: COUNT - orphans.length, failed: 0, skipped: orphans.length });
    const report = readFileSync(join(workDir, 'usage_records_migration_errors.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(report.map((r) => r.id).sort(), orphans.map((i) => usageDoc(i)._id.toHexString()).sort());
    assert.ok(report.every((r) => r.code === 'INTEGRITY' && r.context.skipped === true));
  } finally {
    await engine.close();
  }
});
