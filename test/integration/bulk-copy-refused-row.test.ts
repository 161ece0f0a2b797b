// A row that COPY refuses fails alone: the rest of its chunk lands, nothing is lost or duplicated.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageRecords } from '../../app/datasets/bulk/usage-records.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { seedUsage, usageDoc, withMongo } from '../helpers/seed.js';

const COUNT = 450;
let db: TestDatabases;
let engine: TestEngine;
let workDir: string;

before(async () => {
  db = await createTestDatabases('bulk-copy-refused-row');
  await withMongo(db.mongoUrl, db.mongoDb, (m) => seedUsage(m, COUNT));
  workDir = mkdtempSync(join(tmpdir(), 'mongo2pg-work-'));
  engine = await testEngine(db, { convert_bulk_write_size: '100', convert_bulk_read_size: '40', convert_work_dir: workDir });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
});
after(async () => {
  await engine.close();
  await db.cleanup();
});

test('a duplicate key inside a chunk fails that document only', async () => {
  const clash = usageDoc(150)._id.toHexString();
  await engine.pool.query(
    "INSERT INTO usage_records (mongo_id, organization_id, metric, quantity, recorded_at) VALUES ($1, 'preexisting', 'm', 1, now())",
    [clash],
  );
  const [stats] = await runBulkPhase(engine.ctx, [usageRecords(null)], () => undefined);
  assert.deepEqual({ total: stats?.total, successful: stats?.successful, failed: stats?.failed, skipped: stats?.skipped }, { total: COUNT, successful: COUNT - 1, failed: 1, skipped: 0 });

  const { rows } = await engine.pool.query<{ n: number; distinct_ids: number }>('SELECT count(*)::int AS n, count(DISTINCT mongo_id)::int AS distinct_ids FROM usage_records');
  assert.deepEqual(rows[0], { n: COUNT, distinct_ids: COUNT }, 'COUNT-1 migrated rows plus the pre-existing one');
  const kept = await engine.pool.query('SELECT organization_id FROM usage_records WHERE mongo_id = $1', [clash]);
  assert.equal(kept.rows[0].organization_id, 'preexisting', 'the clashing row is not overwritten');

  const report = readFileSync(join(workDir, 'usage_records_migration_errors.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(report.length, 1);
  assert.equal(report[0].id, clash);
  assert.equal(report[0].code, 'SINK_WRITE');
  assert.match(report[0].error, /duplicate key/);
});

test('refused rows in a large chunk: only their batches are written document by document', async () => {
  const own = await createTestDatabases('bulk-copy-refused-batches');
  const dir = mkdtempSync(join(tmpdir(), 'mongo2pg-work-'));
  // One chunk of all 450 documents, read (and transformed) in batches of 50.
  const big = await testEngine(own, { convert_bulk_write_size: '1000', convert_bulk_read_size: '50', convert_work_dir: dir });
  const slowPath: number[] = [];
  const warn = big.ctx.logger.warn.bind(big.ctx.logger);
  big.ctx.logger.warn = ((message: string, meta?: { documents?: number }) => {
    if (/writing its documents one by one/.test(message)) slowPath.push(meta?.documents ?? -1);
    return warn(message, meta);
  }) as typeof big.ctx.logger.warn;
  try {
    await withMongo(own.mongoUrl, own.mongoDb, (m) => seedUsage(m, COUNT));
    await migrateSchema(big.pool, SCHEMA_DIR, big.ctx.logger);
    const clashes = [120, 333].map((i) => usageDoc(i)._id.toHexString());
    for (const id of clashes) {
      await big.pool.query("INSERT INTO usage_records (mongo_id, organization_id, metric, quantity, recorded_at) VALUES ($1, 'preexisting', 'm', 1, now())", [id]);
    }
    const [stats] = await runBulkPhase(big.ctx, [usageRecords(null)], () => undefined);
    assert.deepEqual([stats?.total, stats?.successful, stats?.failed], [COUNT, COUNT - 2, 2]);
    assert.deepEqual(slowPath, [50, 50], 'the two batches holding a refused row, and no other');
    const { rows } = await big.pool.query<{ n: number; distinct_ids: number; kept: number }>("SELECT count(*)::int AS n, count(DISTINCT mongo_id)::int AS distinct_ids, count(*) FILTER (WHERE organization_id = 'preexisting')::int AS kept FROM usage_records");
    assert.deepEqual(rows[0], { n: COUNT, distinct_ids: COUNT, kept: 2 });
    const report = readFileSync(join(dir, 'usage_records_migration_errors.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; code: string });
    assert.deepEqual(report.map((r) => [r.id, r.code]).sort(), clashes.map((id) => [id, 'SINK_WRITE']).sort());
  } finally {
    await big.close();
    await own.cleanup();
  }
});
