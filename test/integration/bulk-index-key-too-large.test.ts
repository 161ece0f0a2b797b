// Issue 13, D6: a value no B-tree index can hold (an audit event's resource.id of 4,000 random
// characters; PostgreSQL's limit is 2704 bytes per entry) is reported per record before the load,
// so the set-aside indexes are rebuilt; and an object that cannot be rebuilt does not leave the
// others dropped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId } from 'mongodb';
import { auditLogEvents } from '../../app/datasets/bulk/audit-log-events.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { deferConstraints, restoreConstraints } from '../../app/engine/deferred-constraints.js';
import { SinkError } from '../../app/errors.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { mulberry32 } from '../../app/util/prng.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { withMongo } from '../helpers/seed.js';

const COUNT = 50;
let db: TestDatabases;
let engine: TestEngine;
let workDir: string;
const rand = mulberry32(6);
/** Random letters and digits: incompressible, so PostgreSQL cannot squeeze the entry under its limit. */
const randomText = (n: number): string => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(rand() * 36)]).join('');
const eventId = (i: number): ObjectId => new ObjectId(`680000000000000000${i.toString(16).padStart(6, '0')}`);
const event = (i: number, resourceId: string) => ({
  _id: eventId(i), organizationId: 'tkcorg_a', timestamp: new Date(Date.UTC(2025, 0, 1, 0, i)), action: 'update',
  actor: { type: 'user', id: 'u1' }, resource: { type: 'workflow', id: resourceId, name: `wf${i}` },
});
const indexCount = async (): Promise<number> => Number((await engine.pool.query("SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'audit_log_events'")).rows[0].n);

before(async () => {
  db = await createTestDatabases('bulk-index-key-too-large');
  await withMongo(db.mongoUrl, db.mongoDb, (m) => m.collection('audit_log_events').insertMany(Array.from({ length: COUNT }, (_, i) => event(i, i === 17 ? randomText(4000) : `wf-${i}`))));
  workDir = mkdtempSync(join(tmpdir(), 'mongo2pg-work-'));
  engine = await testEngine(db, { convert_work_dir: workDir });
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
});
after(async () => {
  await engine?.close();
  await db?.cleanup();
});

test('the record is reported before the load and every set-aside index is rebuilt', async () => {
  const indexes = await indexCount();
  const deferred = await deferConstraints(engine.pool, ['audit_log_events'], engine.ctx.logger);
  assert.ok(deferred > 0);
  const [stats] = await runBulkPhase(engine.ctx, [auditLogEvents], () => undefined);
  assert.deepEqual([stats?.total, stats?.successful, stats?.failed], [COUNT, COUNT - 1, 1]);
  const report = readFileSync(join(workDir, 'audit_log_events_migration_errors.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; code: string; context: { index?: string } });
  assert.deepEqual(report.map((r) => [r.id, r.code, r.context.index]), [[eventId(17).toHexString(), 'INDEX_KEY_TOO_LARGE', 'audit_log_events_resource_idx']]);
  assert.equal(await restoreConstraints(engine.pool, engine.ctx.logger), deferred);
  assert.equal(await indexCount(), indexes, 'every index is back');
});

test('an index that cannot be rebuilt fails the restore by name, after every other object is restored', async () => {
  const indexes = await indexCount();
  const deferred = await deferConstraints(engine.pool, ['audit_log_events'], engine.ctx.logger);
  // A row loaded behind the tool's back, which no B-tree index can hold.
  await engine.pool.query("INSERT INTO audit_log_events (mongo_id, organization_id, occurred_at, action, resource_type, resource_id) VALUES ('ffffffffffffffffffffffff', 'tkcorg_a', now(), 'x', 'workflow', $1)", [randomText(4000)]);
  await assert.rejects(restoreConstraints(engine.pool, engine.ctx.logger), (err: unknown) => err instanceof SinkError && /audit_log_events_resource_idx/.test(err.message) && new RegExp(`the other ${deferred - 1} are restored`).test(err.message));
  assert.equal(await indexCount(), indexes - 1, 'all but the one index are back');
  const left = await engine.pool.query('SELECT name FROM mongo2pg.deferred_objects');
  assert.deepEqual(left.rows.map((r) => r.name), ['audit_log_events_resource_idx'], 'it stays recorded for a later run');
});
