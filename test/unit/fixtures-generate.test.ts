import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BSON, ObjectId, type Document } from 'mongodb';
import { collectionOf } from '../fixtures/collections.js';
import { generateFixtures } from '../fixtures/generate.js';
import { MemoryDb } from '../fixtures/in-memory.js';
import { ManifestRecorder, idOf } from '../fixtures/manifest.js';
import type { FixtureOptions } from '../fixtures/options.js';
import { runJob, type Job } from '../fixtures/writer.js';

const OPTIONS: Partial<FixtureOptions> = { seed: 5, orgs: 2, envsPerOrg: 2, usersPerOrg: 3, executionsPerEnv: 8, usageRecords: 2500, auditEvents: 50, applicationAuditEvents: 50, events: 70, reportingData: 30, messiness: 0.3, server: 'mongodb' };

async function run(options: Partial<FixtureOptions>) {
  const db = new MemoryDb();
  const manifest = await generateFixtures(db.asDb(), options);
  return { db, manifest };
}

const ejson = (docs: Document[] | undefined) => BSON.EJSON.stringify(docs ?? [], { relaxed: false });

test('documents are inserted in batches of at most batchSize', async () => {
  const { db } = await run(OPTIONS);
  assert.ok(db.batchSizes.every((n) => n >= 1 && n <= 1000));
  assert.deepEqual(db.collections.get('usage')?.length, 2500);
  const small = await run({ ...OPTIONS, usageRecords: 20, batchSize: 7 });
  assert.ok(small.db.batchSizes.every((n) => n <= 7));
});

test('the manifest counts exactly what was written', async () => {
  const { db, manifest } = await run({ ...OPTIONS, orphans: true, edgeCases: true });
  const written = Object.fromEntries([...db.collections.entries()].map(([name, docs]) => [name, docs.length]));
  assert.deepEqual(manifest.collections, Object.fromEntries(Object.entries(written).sort(([a], [b]) => a.localeCompare(b))));
  assert.equal(manifest.totalDocuments, Object.values(written).reduce((a, b) => a + b, 0));
  const payments = (db.collections.get('organizations') ?? []).reduce((n, org) => n + (Array.isArray(org.payments) ? org.payments.length : 0), 0);
  assert.equal(manifest.dataSets.payments_history, payments);
  assert.equal(manifest.dataSets.usage_records, written.usage);
  assert.equal(manifest.dataSets.organizations, 2);
  assert.equal(manifest.organizations.length, 2);
  assert.equal(manifest.environments.length, 4);
  // Every per-environment data set has one collection per environment.
  for (const env of manifest.environments) assert.equal(written[collectionOf('test_workflow_executions', env.organizationId, env.environmentId)], 8);
});

test('the same seed writes identical documents; another seed does not', async () => {
  const a = await run(OPTIONS);
  const b = await run(OPTIONS);
  assert.deepEqual([...a.db.collections.keys()], [...b.db.collections.keys()]);
  for (const [name, docs] of a.db.collections) assert.equal(ejson(b.db.collections.get(name)), ejson(docs), name);
  assert.deepEqual(a.manifest, b.manifest);
  const c = await run({ ...OPTIONS, seed: 6 });
  assert.notEqual(ejson(c.db.collections.get('users')), ejson(a.db.collections.get('users')));
});

test('a bulk count does not change the documents of other collections', async () => {
  const a = await run(OPTIONS);
  const b = await run({ ...OPTIONS, usageRecords: 10, events: 3 });
  for (const name of ['users', 'organizations', 'credentials', 'audit_log_events']) assert.equal(ejson(b.db.collections.get(name)), ejson(a.db.collections.get(name)), name);
  assert.equal(ejson(b.db.collections.get('usage')), ejson(a.db.collections.get('usage')?.slice(0, 10)));
});

test('orphans are listed with the reference that dangles, and only with orphans on', async () => {
  const { db, manifest } = await run({ ...OPTIONS, orphans: true });
  assert.ok(manifest.orphans.length >= 20);
  const orgIds = new Set(manifest.organizations);
  const envIds = new Set(manifest.environments.map((e) => e.environmentId));
  for (const o of manifest.orphans) {
    const doc = (db.collections.get(o.collection) ?? []).find((d) => idOf(d) === o.id);
    assert.ok(doc !== undefined, `${o.collection} ${o.id}`);
    if (o.missing === 'organization') assert.ok(!orgIds.has(o.ref));
    if (o.missing === 'environment') assert.ok(!envIds.has(o.ref));
    if (o.missing === 'user') assert.ok(!manifest.users.includes(o.ref));
  }
  assert.deepEqual(new Set(manifest.orphans.map((o) => o.expected)), new Set(['integrity-error', 'migrated']));
  assert.equal(manifest.orphanCollections.length, 3);
  const none = await run(OPTIONS);
  assert.deepEqual(none.manifest.orphans, []);
  assert.deepEqual(none.manifest.orphanCollections, []);
});

test('edge cases are listed and hold the value they announce', async () => {
  const { db, manifest } = await run({ ...OPTIONS, edgeCases: true });
  const kinds = manifest.edgeCases.map((e) => e.kind).sort();
  assert.deepEqual(kinds, ['date-before-4713bc', 'decimal128-34-digits', 'dotted-key', 'long-max', 'nan', 'nested-array', 'nul-byte', 'nul-byte']);
  const find = (collection: string, id: string) => (db.collections.get(collection) ?? []).find((d) => idOf(d) === id);
  for (const e of manifest.edgeCases) assert.ok(find(e.collection, e.id) !== undefined, e.kind);
  const old = manifest.edgeCases.find((e) => e.kind === 'date-before-4713bc');
  assert.equal((find(old?.collection ?? '', old?.id ?? '')?.timestamp as Date).getUTCFullYear(), -5000);
  const ferret = await run({ ...OPTIONS, edgeCases: true, server: 'ferretdb-v1' });
  assert.deepEqual(ferret.manifest.edgeCases.map((e) => e.kind).sort(), ['date-before-4713bc', 'long-max', 'nul-byte', 'nul-byte']);
  assert.ok(ferret.manifest.substitutions > 0);
});

test('messy ids name real documents and messy counts add up', async () => {
  const { db, manifest } = await run(OPTIONS);
  const allIds = new Set([...db.collections.values()].flat().map((d) => idOf(d)));
  const paymentIds = new Set((db.collections.get('organizations') ?? []).flatMap((org) => (Array.isArray(org.payments) ? org.payments.map((_, i) => `${String(org._id)}/payments/${i}`) : [])));
  let listed = 0;
  for (const [dataSet, summary] of Object.entries(manifest.messy)) {
    assert.equal(summary.ids.length, summary.count, dataSet);
    for (const id of summary.ids) assert.ok((dataSet === 'payments_history' ? paymentIds : allIds).has(id), `${dataSet} ${id}`);
    listed += summary.count;
  }
  assert.ok(listed > 0);
  const usage = manifest.messy.usage_records;
  assert.ok(usage !== undefined && usage.count > 600 && usage.count < 900, String(usage?.count)); // ~30 % of 2500
  const capped = await run({ ...OPTIONS, maxListedIds: 10 });
  assert.equal(capped.manifest.messy.usage_records?.ids.length, 10);
  assert.equal(capped.manifest.messy.usage_records?.truncated, true);
  assert.equal(capped.manifest.messy.usage_records?.count, usage.count);
});

test('usageRecordsSince counts records on or after each month start', async () => {
  const { db, manifest } = await run(OPTIONS);
  const usage = db.collections.get('usage') ?? [];
  for (const [month, count] of Object.entries(manifest.usageRecordsSince)) {
    assert.equal(count, usage.filter((d) => (d.timestamp as Date) >= new Date(`${month}T00:00:00Z`)).length, month);
  }
  assert.equal(Object.values(manifest.usageRecordsSince)[0], 2500);
});

test('the writer holds at most one batch of built documents', async () => {
  const db = new MemoryDb();
  let built = 0;
  let maxAhead = 0;
  const inserted = () => db.batchSizes.reduce((a, b) => a + b, 0);
  const job: Job = {
    dataSet: 'events',
    collection: 'events',
    items: function* () {
      for (let i = 0; i < 5000; i++) {
        built++;
        maxAhead = Math.max(maxAhead, built - inserted());
        yield { built: { doc: { _id: new ObjectId() }, messy: [], substitutions: 0 } };
      }
    },
  };
  await runJob(db.asDb(), job, new ManifestRecorder(10), 1000);
  assert.equal(inserted(), 5000);
  assert.ok(maxAhead <= 1000, `built ${maxAhead} ahead of the inserts`);
});
