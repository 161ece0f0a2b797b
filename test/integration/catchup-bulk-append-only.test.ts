// Catch-up of the append-only bulk data sets (issue 17): a pre-copy loads the source, then the
// source changes (retention deletes the oldest documents and one in the middle, new documents
// arrive, one with an `_id` just under the pre-copy's last `_id` and one older than everything),
// then catch-up. Every bulk table must equal a clean full migration of the final source; a dry
// run counts the same and writes nothing; a second catch-up changes nothing; a catch-up aborted
// part way and run again ends the same.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId, type Document } from 'mongodb';
import { catchUpBulkDataSet } from '../../app/catchup/bulk.js';
import type { CatchUpCounts } from '../../app/catchup/types.js';
import { bulkDataSetList } from '../../app/datasets/bulk/index.js';
import type { DataSet } from '../../app/datasets/types.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { environmentKey } from '../../app/engine/integrity.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { generateFixtures, type FixtureManifest } from '../fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { withMongo } from '../helpers/seed.js';
import { catchUpContext, recordingProgress, tableDigests } from '../helpers/catchup.js';

const NAMES = ['usage_records', 'audit_log_events', 'application_audit_events', 'events', 'reporting_data'];
const FIXTURES = {
  seed: 17, orgs: 2, envsPerOrg: 2, usersPerOrg: 2, agentsPerOrg: 1, workflowsPerEnv: 1, executionsPerEnv: 0, recordsPerScope: 1,
  aiSessionsPerOrg: 0, toolCallsPerSession: 0, paymentsPerOrg: 0,
  usageRecords: 300, auditEvents: 80, applicationAuditEvents: 80, events: 90, reportingData: 60,
  messiness: 0.2, orphans: false, edgeCases: false,
};

let source: TestDatabases;
let manifest: FixtureManifest;
const dbs: TestDatabases[] = [];
const engines: TestEngine[] = [];
/** What catch-up must do per data set, from the changes made to the source. */
const expected = new Map<string, { inserted: number; deleted: number }>();

async function target(label: string): Promise<TestEngine> {
  const db = await createTestDatabases(label);
  dbs.push(db);
  const engine = await testEngine({ pgUrl: db.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, {
    convert_work_dir: mkdtempSync(join(tmpdir(), 'mongo2pg-work-')), convert_bulk_write_size: '40', convert_skip_integrity_errors: 'true',
  });
  engines.push(engine);
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  for (const org of manifest.organizations) engine.ctx.known.add('organization', org);
  for (const env of manifest.environments) engine.ctx.known.add('environment', environmentKey(env.organizationId, env.environmentId));
  return engine;
}

function dataSets(engine: TestEngine): DataSet[] {
  return bulkDataSetList(engine.config).filter((d) => NAMES.includes(d.name));
}

const specs = (engine: TestEngine): DataSet['tables'][number][] => dataSets(engine).flatMap((d) => [...d.tables]);

async function catchUpAll(engine: TestEngine, options: Parameters<typeof catchUpContext>[1] = {}): Promise<Map<string, CatchUpCounts>> {
  const out = new Map<string, CatchUpCounts>();
  const ctx = catchUpContext(engine, options);
  for (const ds of dataSets(engine)) {
    // The counts alone: a real run also returns its digest delta and the documents it wrote (a dry run, which writes nothing, neither).
    const { inserted, updated, deleted, unchanged, failed, skipped, changed } = await catchUpBulkDataSet(ctx, ds);
    const listed = [...(changed?.values() ?? [])].reduce((n, ids) => n + ids.length, 0);
    assert.equal(listed, options.dryRun ? 0 : inserted, `${ds.name}: every document inserted is listed for verification`);
    out.set(ds.name, { inserted, updated, deleted, unchanged, failed, skipped });
  }
  return out;
}

/** A copy of a document under a new `_id`. */
function copyWithId(doc: Document, id: ObjectId): Document {
  return { ...doc, _id: id };
}

let preCopied: TestEngine[];
let clean: TestEngine;

before(async () => {
  source = await createTestDatabases('catchup-append-source');
  manifest = await withMongo(source.mongoUrl, source.mongoDb, (db) => generateFixtures(db, FIXTURES));
  // Pre-copy: three targets loaded from the same source, while it still "runs".
  preCopied = [await target('catchup-append-a'), await target('catchup-append-b'), await target('catchup-append-c')];
  for (const engine of preCopied) await runBulkPhase(engine.ctx, dataSets(engine), () => undefined);
  // The application keeps writing, retention keeps deleting.
  await withMongo(source.mongoUrl, source.mongoDb, async (db) => {
    for (const ds of dataSets(preCopied[0] as TestEngine)) {
      const c = db.collection(ds.collection);
      const ids = (await c.find({}, { projection: { _id: 1 }, sort: { _id: 1 } }).toArray()).map((d) => d._id as ObjectId);
      const docs = await c.find({ _id: { $in: ids.slice(0, 5) } }).toArray();
      // Retention: the 10 oldest, and one in the middle.
      const gone = [...ids.slice(0, 10), ids[Math.floor(ids.length / 2)] as ObjectId];
      await c.deleteMany({ _id: { $in: gone } });
      // New documents past the watermark; one just under the pre-copy's last `_id` (a client
      // with a slow clock); one older than everything (far outside any look-back).
      const last = ids[ids.length - 1] as ObjectId;
      const justUnder = ObjectId.createFromTime(last.getTimestamp().getTime() / 1000 - 30);
      const older = ObjectId.createFromTime(1_000_000);
      const added = [copyWithId(docs[0] as Document, new ObjectId()), copyWithId(docs[1] as Document, new ObjectId()), copyWithId(docs[2] as Document, new ObjectId()), copyWithId(docs[3] as Document, justUnder), copyWithId(docs[4] as Document, older)];
      assert.ok(justUnder.toHexString() < last.toHexString() && justUnder.toHexString() > (ids[0] as ObjectId).toHexString(), 'the slow clock\'s _id lies under the watermark');
      await c.insertMany(added);
      expected.set(ds.name, { inserted: added.length, deleted: gone.length });
    }
  });
  clean = await target('catchup-append-clean');
  await runBulkPhase(clean.ctx, dataSets(clean), () => undefined);
});
after(async () => {
  await Promise.allSettled(engines.map((e) => e.close()));
  await Promise.all([source, ...dbs].map((d) => d.cleanup()));
});

test('a dry run counts what would change and writes nothing', async () => {
  const engine = preCopied[0] as TestEngine;
  const before = await tableDigests(engine.pool, specs(engine));
  const counts = await catchUpAll(engine, { dryRun: true });
  assert.deepEqual(await tableDigests(engine.pool, specs(engine)), before, 'nothing written');
  for (const name of NAMES) {
    const c = counts.get(name) as CatchUpCounts;
    const e = expected.get(name) as { inserted: number; deleted: number };
    // A copied document may be one the fixtures made unmigratable: it fails instead of landing.
    assert.equal(c.inserted + c.failed + c.skipped >= e.inserted, true, `${name}: ${JSON.stringify(c)}`);
    assert.equal(c.deleted, e.deleted, `${name} deleted`);
  }
});

test('catch-up makes every bulk table equal a clean migration of the final source, counting what it did', async () => {
  const engine = preCopied[0] as TestEngine;
  const dry = await catchUpAll(engine, { dryRun: true });
  const counts = await catchUpAll(engine);
  assert.deepEqual(await tableDigests(engine.pool, specs(engine)), await tableDigests(clean.pool, specs(clean)));
  for (const name of NAMES) {
    const c = counts.get(name) as CatchUpCounts;
    assert.deepEqual(c, dry.get(name), `${name}: the dry run counted the same`);
    const e = expected.get(name) as { inserted: number; deleted: number };
    assert.equal(c.deleted, e.deleted, `${name} deleted`);
    const rows = Number((await engine.pool.query(`SELECT count(*) AS n FROM ${(dataSets(engine).find((d) => d.name === name) as DataSet).tables[0]?.table}`)).rows[0].n);
    assert.equal(c.inserted + c.unchanged, rows, `${name}: inserted + unchanged = rows`);
    assert.ok(c.inserted > 0 && c.inserted <= e.inserted, `${name} inserted ${c.inserted}`);
  }
  // The old `_id`s landed (usage records are never unmigratable in these fixtures' copies).
  const again = await catchUpAll(engine);
  for (const name of NAMES) {
    const c = again.get(name) as CatchUpCounts;
    assert.equal(c.inserted + c.updated + c.deleted, 0, `${name}: a second catch-up changes nothing (${JSON.stringify(c)})`);
    assert.equal(c.unchanged, (counts.get(name) as CatchUpCounts).inserted + (counts.get(name) as CatchUpCounts).unchanged);
  }
  assert.deepEqual(await tableDigests(engine.pool, specs(engine)), await tableDigests(clean.pool, specs(clean)));
});

test('a catch-up aborted part way, run again, ends the same', async () => {
  const engine = preCopied[1] as TestEngine;
  const stop = new AbortController();
  // Stops as soon as the first data set has committed a change.
  const progress = recordingProgress((_task, done) => {
    if (done > 0) stop.abort(new Error('stopped by the test'));
  });
  await assert.rejects(catchUpAll(engine, { signal: stop.signal, progress }), /stopped by the test/);
  assert.notDeepEqual(await tableDigests(engine.pool, specs(engine)), await tableDigests(clean.pool, specs(clean)), 'the abort left work undone');
  await catchUpAll(engine);
  assert.deepEqual(await tableDigests(engine.pool, specs(engine)), await tableDigests(clean.pool, specs(clean)));
});

test('with a look-back window over everything, every `_id` is merged one by one: the same result', async () => {
  const engine = preCopied[2] as TestEngine;
  const ctx = catchUpContext(engine);
  const everything = { ...ctx, config: { ...ctx.config, convert: { ...ctx.config.convert, catchUpLookback: 100 * 365 * 86_400_000 } } };
  const counts = new Map<string, CatchUpCounts>();
  for (const ds of dataSets(engine)) counts.set(ds.name, await catchUpBulkDataSet(everything, ds));
  assert.deepEqual(await tableDigests(engine.pool, specs(engine)), await tableDigests(clean.pool, specs(clean)));
  for (const name of NAMES) assert.equal(counts.get(name)?.deleted, expected.get(name)?.deleted, name);
});
