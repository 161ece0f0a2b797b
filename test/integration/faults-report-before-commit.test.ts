// A bulk chunk's failed records are stored (in the chunk's transaction) before the COMMIT that counts
// them in the range's watermark: reported after it, a SIGKILL between the two left a record counted
// as failed but named in no report, and verification failed the re-run (SIGKILL trial seed 11005).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId } from 'mongodb';
import { bulkDataSets } from '../../app/datasets/registry.js';
import type { DataSet } from '../../app/datasets/types.js';
import { loadChunk } from '../../app/engine/bulk-chunk.js';
import { createBatchRunner } from '../../app/engine/transform-pool.js';
import { ensureProgressTable, type RangeProgress } from '../../app/engine/bulk-progress.js';
import type { FailedRecord } from '../../app/report/error-report.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import type { PoolClient } from '../../app/sink/postgres.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { memorySource } from '../helpers/bson-source.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { workDir } from '../helpers/faults.js';

let db: TestDatabases;
let engine: TestEngine;

const usage = (i: number, value: unknown): Record<string, unknown> => ({
  _id: new ObjectId(`67000000000000000000${i.toString(16).padStart(4, '0')}`), organizationId: 'tkcorg_a', metric: 'm', value, timestamp: new Date(0),
});

before(async () => {
  db = await createTestDatabases('faults-report-before-commit');
  engine = await testEngine(db, { convert_bulk_write_size: '10', convert_work_dir: workDir() });
  engine.ctx.db = memorySource({ usage: [usage(1, 1), usage(2, 'not a number'), usage(3, 3)] });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  await ensureProgressTable(engine.pool);
});
after(async () => {
  await engine?.close();
  await db?.cleanup();
});

test('the failures are reported while the chunk is still uncommitted, then it commits', async () => {
  const ds = bulkDataSets(engine.config).find((d) => d.name === 'usage_records') as DataSet;
  const events: string[] = [];
  const client = await engine.pool.connect();
  const watched = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown;
      return (...args: unknown[]) => {
        if (typeof args[0] === 'string' && /^(COMMIT|ROLLBACK)/.test(args[0])) events.push(args[0]);
        return (target.query as (...a: unknown[]) => unknown)(...args);
      };
    },
  }) as PoolClient;
  const range: RangeProgress = { source: 'usage', collection: 'usage', bracket: 'objectId', lo: undefined, hi: undefined, lastId: undefined, done: false, migrated: 0, failed: 0, skipped: 0 };
  const runner = createBatchRunner(engine.config, engine.ctx.known);
  try {
    const cursor = engine.ctx.db.collection('usage').find({}, { sort: { _id: 1 }, raw: true });
    const job = { dataSet: ds.name, source: { collection: 'usage' }, dryRun: false, skipIntegrityErrors: false };
    const result = await loadChunk(watched, { cursor, runner, job }, engine.ctx, ds, {}, range, Object.assign(() => null, { orphan: false }), async (tx: PoolClient, records: readonly FailedRecord[]) => {
      assert.equal(tx, watched, 'stored in the chunk\'s own transaction');
      const visible = await engine.pool.query("SELECT failed FROM mongo2pg.bulk_progress WHERE data_set = 'usage_records'");
      events.push(`report ${records.map((r) => r.id).join(',')} (watermark visible to others: ${visible.rowCount})`);
    });
    assert.deepEqual(events, [`report ${usage(2, 0)._id} (watermark visible to others: 0)`, 'COMMIT']);
    assert.deepEqual([result.progress.migrated, result.progress.failed, result.progress.done], [2, 1, true]);
  } finally {
    await runner.close();
    client.release();
  }
});
