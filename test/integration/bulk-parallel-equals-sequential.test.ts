// Bulk data sets split into ranges and run in parallel land exactly what a sequential run lands.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bulkDataSets } from '../../app/datasets/registry.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import type { SourceDb } from '../../app/source/source-db.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine } from '../helpers/engine.js';
import { breakFirstRead } from '../helpers/flaky-source.js';
import { seedUsage, withMongo } from '../helpers/seed.js';

const COUNT = 1500;
const dbs: TestDatabases[] = [];

before(async () => {
  for (const label of ['bulk-sequential', 'bulk-parallel', 'bulk-plan-interrupted']) {
    const db = await createTestDatabases(label);
    await withMongo(db.mongoUrl, db.mongoDb, (m) => seedUsage(m, COUNT));
    dbs.push(db);
  }
});
after(async () => {
  await Promise.all(dbs.map((d) => d.cleanup()));
});

async function load(db: TestDatabases, parallel: string, wrap?: (source: SourceDb) => SourceDb): Promise<{ digest: string; ranges: number; total: number }> {
  const engine = await testEngine(db, { convert_bulk_parallel: parallel, convert_bulk_write_size: '100', convert_work_dir: mkdtempSync(join(tmpdir(), 'mongo2pg-work-')) });
  if (wrap) engine.ctx.db = wrap(engine.ctx.db);
  try {
    await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
    const stats = await runBulkPhase(engine.ctx, bulkDataSets(engine.config), () => undefined);
    const usage = stats.find((s) => s.name === 'usage_records');
    const { rows } = await engine.pool.query("SELECT md5(string_agg(t::text, '|' ORDER BY mongo_id)) AS digest FROM usage_records t");
    const ranges = await engine.pool.query("SELECT count(*)::int AS n FROM mongo2pg.bulk_progress WHERE data_set = 'usage_records' AND id_type = 'objectId'");
    return { digest: rows[0].digest as string, ranges: ranges.rows[0].n as number, total: usage?.successful ?? -1 };
  } finally {
    await engine.close();
  }
}

test('three parallel ranges give the same rows as one sequential pass', async () => {
  const sequential = await load(dbs[0] as TestDatabases, '1');
  const parallel = await load(dbs[1] as TestDatabases, '3');
  assert.equal(sequential.ranges, 1);
  assert.equal(parallel.ranges, 3, 'the collection was split into ranges');
  assert.equal(sequential.total, COUNT);
  assert.equal(parallel.total, COUNT);
  assert.equal(parallel.digest, sequential.digest);
});

test('a count the source breaks off while the ranges are planned is planned again, with the same result', async () => {
  const sequential = await load(dbs[0] as TestDatabases, '1');
  // The first count of the usage collection fails as a connection the server closed would.
  let broken = (): number => 0;
  const flaky = (source: SourceDb): SourceDb => {
    const wrapped = breakFirstRead(source, (collection, method) => collection === 'usage' && method === 'countDocuments');
    broken = wrapped.broken;
    return wrapped.source;
  };
  const interrupted = await load(dbs[2] as TestDatabases, '3', flaky);
  assert.equal(broken(), 1);
  assert.equal(interrupted.ranges, 3);
  assert.equal(interrupted.total, COUNT);
  assert.equal(interrupted.digest, sequential.digest);
});
