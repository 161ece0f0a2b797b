// Issue 13, D1 and D2: `_id`s of several BSON types in one bulk collection. A range query matches
// only its bounds' own type, so every document must still be read (and migrated or reported),
// whether the collection is split into ranges (D2) or a chunk is redone after COPY refused a row (D1).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from 'mongodb';
import { usageRecords } from '../../app/datasets/bulk/usage-records.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine } from '../helpers/engine.js';
import { seedUsage, usageDoc, withMongo } from '../helpers/seed.js';

const COUNT = 3000;
const dbs: TestDatabases[] = [];
after(async () => {
  for (const d of dbs) await d.cleanup();
});

async function setUp(name: string, extra: Document[], flags: Record<string, string>, bad: number[] = []) {
  const db = await createTestDatabases(name);
  dbs.push(db);
  await withMongo(db.mongoUrl, db.mongoDb, async (m) => {
    await seedUsage(m, COUNT);
    for (const i of bad) await m.collection('usage').updateOne({ _id: usageDoc(i)._id }, { $set: { value: '1e200000' } });
    await m.collection('usage').insertMany(extra);
  });
  const workDir = mkdtempSync(join(tmpdir(), 'mongo2pg-work-'));
  const engine = await testEngine(db, { convert_work_dir: workDir, ...flags });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  return { db, engine, workDir };
}

function reportIds(workDir: string): string[] {
  return readFileSync(join(workDir, 'usage_records_migration_errors.log'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id).sort();
}

test('D1: a refused row and a Date _id in one chunk: the redo loses no document', async () => {
  const dateId = new Date(Date.UTC(2030, 0, 1));
  const { engine, workDir } = await setUp('bulk-mixed-ids-d1', [{ ...usageDoc(COUNT + 1), _id: dateId }], {}, [1234]);
  try {
    const [stats] = await runBulkPhase(engine.ctx, [usageRecords(null)], () => undefined);
    // Expected from the source: COUNT ObjectId documents (one with an unstorable value) plus one
    // whose Date `_id` the usage table cannot key (reported by its transform).
    assert.deepEqual([stats?.total, stats?.successful, stats?.failed, stats?.skipped], [COUNT + 1, COUNT - 1, 2, 0]);
    const { rows } = await engine.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_records');
    assert.equal(rows[0]?.n, COUNT - 1);
    assert.equal(reportIds(workDir).length, 2);
    assert.ok(reportIds(workDir).includes(usageDoc(1234)._id.toHexString()));
  } finally {
    await engine.close();
  }
});

test('D2: number, string, bool and Date _ids are read when the collection is split into ranges', async () => {
  const extra = [7, 'a-string-id', true, new Date(Date.UTC(2030, 0, 1))].map((id, k) => ({ ...usageDoc(COUNT + 10 + k), _id: id }));
  const { engine, workDir } = await setUp('bulk-mixed-ids-d2', extra, { convert_bulk_write_size: '200', convert_bulk_parallel: '4' });
  try {
    const [stats] = await runBulkPhase(engine.ctx, [usageRecords(null)], () => undefined);
    assert.deepEqual([stats?.total, stats?.successful, stats?.failed, stats?.skipped], [COUNT + 4, COUNT, 4, 0]);
    const ranges = await engine.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM mongo2pg.bulk_progress WHERE source LIKE 'usage:objectId#%'");
    assert.equal(ranges.rows[0]?.n, 4, 'the ObjectId bracket was split into ranges');
    const { rows } = await engine.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_records');
    assert.equal(rows[0]?.n, COUNT);
    assert.equal(reportIds(workDir).length, 4);
    assert.ok(reportIds(workDir).includes('a-string-id'));
  } finally {
    await engine.close();
  }
});
