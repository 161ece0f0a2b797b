// Issue 13, D13: a record id in an error report is canonical Extended JSON for an `_id` that is
// neither an ObjectId nor a string — never Date#toString, which depends on the process's time zone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32 } from 'mongodb';
import { usageRecords } from '../../app/datasets/bulk/usage-records.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { seedUsage, usageDoc, withMongo } from '../helpers/seed.js';

let db: TestDatabases;
let engine: TestEngine;
let workDir: string;
const savedTz = process.env.TZ;

before(async () => {
  // A zone with a half-hour offset: a zone-dependent rendering would show it.
  process.env.TZ = 'Asia/Kolkata';
  db = await createTestDatabases('bulk-report-ids');
  await withMongo(db.mongoUrl, db.mongoDb, async (m) => {
    await seedUsage(m, 20);
    await m.collection('usage').insertMany([
      { ...usageDoc(100), _id: new Date(Date.UTC(2030, 0, 1)) as never },
      { ...usageDoc(101), _id: new Int32(7) as never },
      { ...usageDoc(102), _id: true as never },
      { ...usageDoc(103), _id: { tenant: 'a', n: new Int32(1) } as never },
    ]);
  });
  workDir = mkdtempSync(join(tmpdir(), 'mongo2pg-work-'));
  engine = await testEngine(db, { convert_work_dir: workDir });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  await runBulkPhase(engine.ctx, [usageRecords(null)], () => undefined);
});
after(async () => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
  await engine?.close();
  await db?.cleanup();
});

test('ids of Date, int, bool and document _ids are canonical Extended JSON, whatever TZ is', () => {
  const ids = readFileSync(join(workDir, 'usage_records_migration_errors.log'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id).sort();
  // Written down from the Extended JSON v2 specification (canonical mode), not from the code.
  assert.deepEqual(ids, [
    'true',
    '{"$date":{"$numberLong":"1893456000000"}}',
    '{"$numberInt":"7"}',
    '{"tenant":"a","n":{"$numberInt":"1"}}',
  ].sort());
});
