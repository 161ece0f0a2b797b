// Issue 13, D3: a work dir reused from an earlier run (the chart's existingClaim) holds that run's
// error report. It must neither survive into this run's report nor account for records this
// target lacks: reports are rendered from, and verification counts from, mongo2pg.failed_records.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageRecords } from '../../app/datasets/bulk/usage-records.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { verifyInProcess } from '../helpers/faults.js';
import { seedUsage, usageDoc, withMongo } from '../helpers/seed.js';

const COUNT = 300;
let db: TestDatabases;
let engine: TestEngine;
let workDir: string;
const path = (): string => join(workDir, 'usage_records_migration_errors.log');
const line = (id: string): string => `${JSON.stringify({ id, timestamp: '2026-01-01T00:00:00.000Z', error: 'an earlier run', code: 'SINK_WRITE', data_set: 'usage_records', context: { collection: 'usage' } })}\n`;
const dateId = new Date(Date.UTC(2030, 0, 1));
const dateIdText = '{"$date":{"$numberLong":"1893456000000"}}';

before(async () => {
  db = await createTestDatabases('verify-stale-report');
  await withMongo(db.mongoUrl, db.mongoDb, async (m) => {
    await seedUsage(m, COUNT);
    await m.collection('usage').insertOne({ ...usageDoc(COUNT), _id: dateId as never });
  });
  workDir = mkdtempSync(join(tmpdir(), 'mongo2pg-work-'));
  // An earlier run's report: one record this run migrates, one that does not exist at all.
  writeFileSync(path(), line(usageDoc(5)._id.toHexString()) + line('not-a-record-of-this-source'));
  engine = await testEngine(db, { convert_work_dir: workDir, convert_bulk_write_size: '100' });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  await runBulkPhase(engine.ctx, [usageRecords(null)], () => undefined);
});
after(async () => {
  await engine?.close();
  await db?.cleanup();
});

test('the report in the work dir holds exactly this run\'s failures, not the earlier run\'s lines', () => {
  const lines = readFileSync(path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; code: string });
  assert.deepEqual(lines.map((l) => [l.id, l.code]), [[dateIdText, 'TRANSFORM']]);
});

test('verification does not let a stale report line account for a record the target lacks', async () => {
  const clean = await verifyInProcess(engine.config, { dataSets: [usageRecords(null)], sequences: false });
  assert.deepEqual(clean.dataSets[0]?.problems, []);
  assert.deepEqual([clean.dataSets[0]?.source, clean.dataSets[0]?.migrated, clean.dataSets[0]?.failed], [COUNT + 1, COUNT, 1]);

  // A record lost from the target, and a report line (of another run) naming it in the work dir.
  const lost = usageDoc(7)._id.toHexString();
  await engine.pool.query('DELETE FROM usage_records WHERE mongo_id = $1', [lost]);
  writeFileSync(path(), readFileSync(path(), 'utf8') + line(lost));
  const report = await verifyInProcess(engine.config, { dataSets: [usageRecords(null)], sequences: false });
  const problems = report.dataSets[0]?.problems ?? [];
  assert.ok(problems.some((p) => p.kind === 'missing' && p.id === lost), `the lost record is a difference: ${JSON.stringify(problems)}`);
  assert.equal(report.ok, false);
});
