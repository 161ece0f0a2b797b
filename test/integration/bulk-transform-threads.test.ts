// The bulk phase decodes and transforms raw BSON batches on transform threads (CONVERT_BULK_THREADS)
// or inline (0). Where a batch runs must never change what it gives: the same outputs batch by
// batch for every bulk data set, raw bytes that decode to exactly what the driver hands over, errors
// that cross the thread with their type, and the same tables, statistics and dropped-field counts
// from a whole bulk phase on real PostgreSQL, dry runs included.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSON, Binary, Long, MongoClient, ObjectId, Timestamp, type Document } from 'mongodb';
import { bulkDataSetList } from '../../app/datasets/bulk/index.js';
import { EXECUTIONS_DATA_SET } from '../../app/datasets/bulk/test-workflow-executions.js';
import type { DataSet } from '../../app/datasets/types.js';
import type { BatchJob, BatchOutput } from '../../app/engine/bulk-batch.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { KnownIds, environmentKey } from '../../app/engine/integrity.js';
import { sourceCollections } from '../../app/engine/scopes.js';
import { createBatchRunner } from '../../app/engine/transform-pool.js';
import { IntegrityError, InternalError, SourceError } from '../../app/errors.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SOURCE_BSON_OPTIONS, decodeSourceDocument, readRawBatch, type RawBatch, type SourceDb } from '../../app/source/source-db.js';
import { tableDigest } from '../../app/verify/compare-rows.js';
import { generateFixtures, type FixtureManifest } from '../fixtures/generate.js';
import { plannedDocuments } from '../fixtures/in-memory.js';
import { withMongo } from '../helpers/seed.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { memorySource } from '../helpers/bson-source.js';
import { testEngine } from '../helpers/engine.js';
import { testConfig } from '../helpers/faults.js';

const FIXTURES = {
  seed: 23, orgs: 2, envsPerOrg: 2, usersPerOrg: 2, agentsPerOrg: 1, workflowsPerEnv: 2, executionsPerEnv: 40, recordsPerScope: 1,
  aiSessionsPerOrg: 0, toolCallsPerSession: 0, paymentsPerOrg: 0,
  usageRecords: 300, auditEvents: 80, applicationAuditEvents: 80, events: 100, reportingData: 60,
  messiness: 0.3, orphans: true, edgeCases: true,
};
const ORG = 'tkcorg_00000000000000a1';

let source: TestDatabases;
let manifest: FixtureManifest;
const targets: TestDatabases[] = [];

before(async () => {
  source = await createTestDatabases('bulk-threads-source');
  manifest = await withMongo(source.mongoUrl, source.mongoDb, (db) => generateFixtures(db, FIXTURES));
});
after(async () => {
  await Promise.all([source, ...targets].map((d) => d.cleanup()));
});

const decoder = new TextDecoder();
/** A batch's output with its COPY text as strings, to compare. */
const readable = (out: BatchOutput): unknown => ({ ...out, text: out.text.map((t) => decoder.decode(t)) });
/** Documents back to back in a buffer of their own, as readRawBatch hands them over. */
function concat(docs: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(docs.reduce((n, d) => n + d.byteLength, 0));
  let at = 0;
  for (const d of docs) {
    out.set(d, at);
    at += d.byteLength;
  }
  return out;
}
/** The documents of a raw batch and where each starts. */
function split(bytes: Uint8Array): { offsets: number[]; docs: Document[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets: number[] = [];
  for (let at = 0; at < bytes.byteLength; at += view.getInt32(at, true)) offsets.push(at);
  return { offsets, docs: offsets.map((at) => decodeSourceDocument(bytes, at)) };
}

/** Every raw batch of a data set's source collections, cut small so there are many. */
async function rawJobs(db: SourceDb, dataSet: DataSet): Promise<BatchJob[]> {
  const jobs: BatchJob[] = [];
  for (const src of await sourceCollections(db, dataSet)) {
    const cursor = db.collection(src.collection).find(dataSet.filter ?? {}, { sort: { _id: 1 }, batchSize: 64, raw: true });
    for (let b = await readRawBatch(cursor, 25, 32 * 1024); b !== null; b = await readRawBatch(cursor, 25, 32 * 1024)) {
      jobs.push({ dataSet: dataSet.name, source: src, bytes: b.bytes, dryRun: false, skipIntegrityErrors: true });
    }
    await cursor.close();
  }
  return jobs;
}

test('threads and inline give the same output for every batch of every bulk data set', async () => {
  // The fixtures as MongoDB itself stores them (dotted keys, Decimal128: more than FerretDB v1 takes), in memory.
  const collections: Record<string, Document[]> = {};
  for (const p of plannedDocuments(FIXTURES, 'mongodb')) (collections[p.collection] ??= []).push(p.built.doc);
  const db = memorySource(collections);
  const known = new KnownIds();
  for (const o of collections.organizations ?? []) known.add('organization', String(o._id));
  for (const e of collections.environments ?? []) known.add('environment', environmentKey(String(e.organizationId), String(e._id)));
  const config = testConfig(source, { convert_bulk_threads: '2' });
  const threads = createBatchRunner(config, known);
  const inline = createBatchRunner(testConfig(source, { convert_bulk_threads: '0' }), known);
  const seen = { failures: 0, skips: 0, counters: 0 };
  try {
    for (const dataSet of bulkDataSetList(config)) {
      const jobs = await rawJobs(db, dataSet);
      assert.ok(jobs.length > 1, `${dataSet.name}: several batches`);
      const expected: unknown[] = [];
      // The inline runner gets copies: a thread takes the bytes it is handed.
      for (const job of jobs) expected.push(readable(await inline.run({ ...job, bytes: new Uint8Array(job.bytes) })));
      // All at once, so both threads are busy and each result must still be its own batch's.
      const outputs = await Promise.all(jobs.map((job) => threads.run(job)));
      assert.deepEqual(outputs.map(readable), expected, dataSet.name);
      assert.ok(outputs.some((o) => o.loaded > 0), `${dataSet.name}: rows were produced`);
      seen.failures += outputs.reduce((n, o) => n + o.failures.length, 0);
      seen.skips += outputs.reduce((n, o) => n + o.skips.length, 0);
      if (dataSet.name === EXECUTIONS_DATA_SET) seen.counters += outputs.reduce((n, o) => n + o.counters.length, 0);
    }
  } finally {
    await Promise.all([threads.close(), inline.close()]);
  }
  assert.ok(seen.failures > 0 && seen.skips > 0 && seen.counters > 0, `failures, skips and dropped-field counters were compared too: ${JSON.stringify(seen)}`);
});

function variedDocuments(): Document[] {
  return Array.from({ length: 23 }, (_, i) => ({
    _id: new ObjectId(`66000000000000000000${i.toString(16).padStart(4, '0')}`),
    int: i, long: Long.fromBigInt(9007199254740993n + BigInt(i)), negative: Long.fromNumber(-i), double: i + 0.5,
    at: new Date(Date.UTC(2025, 0, 1) + i * 1001), text: `héllo ✓ 🚀 ${i}`, flag: i % 2 === 0, nothing: null,
    nested: { a: { b: [i, `x${i}`, { c: null }] }, empty: {}, list: [] },
    mixed: [1, 'two', new Date(0), { five: Long.fromNumber(5), list: [3, 4] }], // FerretDB v1 refuses nested arrays
    bin: new Binary(Buffer.from([0, 1, 2, 255, i])), uuid: new Binary(Buffer.alloc(16, i), Binary.SUBTYPE_UUID),
    ts: new Timestamp({ t: 1_700_000_000 + i, i: 1 }), re: /ab+c/i, ref: new ObjectId(),
    ...(i === 0 ? { big: 'x'.repeat(200 * 1024) } : {}),
  }));
}

test('raw batches decode to what the driver returns and respect maxDocs and maxBytes', async () => {
  // The driver with the options app/source/mongo.ts gives it: the raw decode must equal what it returns.
  const client = new MongoClient(source.mongoUrl, SOURCE_BSON_OPTIONS);
  await client.connect();
  try {
    const db: SourceDb = client.db(source.mongoDb);
    await client.db(source.mongoDb).collection('raw_roundtrip').insertMany(variedDocuments());
    const driver = await client.db(source.mongoDb).collection('raw_roundtrip').find({}, { sort: { _id: 1 } }).toArray();
    const readAll = async (maxDocs: number, maxBytes: number): Promise<RawBatch[]> => {
      const cursor = db.collection('raw_roundtrip').find({}, { sort: { _id: 1 }, batchSize: 1000, raw: true });
      const batches: RawBatch[] = [];
      for (let b = await readRawBatch(cursor, maxDocs, maxBytes); b !== null; b = await readRawBatch(cursor, maxDocs, maxBytes)) batches.push(b);
      assert.equal(await readRawBatch(cursor, maxDocs, maxBytes), null, 'still null after the end');
      await cursor.close();
      return batches;
    };
    for (const [maxDocs, maxBytes] of [[3, 1 << 30], [1000, 1200]] as const) {
      const batches = await readAll(maxDocs, maxBytes);
      const decoded = batches.map((b) => split(b.bytes));
      assert.deepEqual(decoded.flatMap((d) => d.docs), driver, `every document, maxDocs ${maxDocs} maxBytes ${maxBytes}`);
      for (const [i, b] of batches.entries()) {
        const { offsets } = decoded[i] as { offsets: number[] };
        assert.equal(b.count, offsets.length);
        assert.ok(b.count >= 1 && b.count <= maxDocs, `batch ${i}: ${b.count} documents`);
        assert.equal(b.lastOffset, offsets.at(-1), `batch ${i}: lastOffset is the last document`);
        assert.ok(b.count === 1 || b.lastOffset < maxBytes, `batch ${i}: the documents before the last stay under maxBytes`);
        if (maxDocs > 3 && i < batches.length - 1) assert.ok(b.bytes.byteLength >= maxBytes, `batch ${i}: filled up to maxBytes`);
      }
      if (maxDocs === 3) assert.ok(batches.filter((b) => b.count === 3).length >= 7, 'maxDocs bounds the batches');
      else assert.ok(batches[0]?.count === 1 && batches[0].bytes.byteLength > 200 * 1024, 'a first document larger than maxBytes is a batch of its own');
    }
  } finally {
    await client.close();
  }
});

const usage = (hex: string, organizationId: string, metric = 'runs'): Uint8Array =>
  BSON.serialize({ _id: new ObjectId(hex.padStart(24, '0')), organizationId, metric, value: 1, timestamp: new Date(Date.UTC(2025, 0, 1)) });
/** A usage document whose metric is not valid UTF-8 (a lone surrogate, as a non-validating driver writes it). */
function undecodable(hex: string): Uint8Array {
  const bytes = usage(hex, ORG, 'x@@@y');
  const at = bytes.findIndex((_, i) => bytes[i] === 0x40 && bytes[i + 1] === 0x40 && bytes[i + 2] === 0x40);
  bytes.set([0xed, 0xa0, 0x80], at);
  return bytes;
}
const usageJob = (docs: Uint8Array[], dataSet = 'usage_records'): BatchJob => ({ dataSet, source: { collection: 'usage' }, bytes: concat(docs), dryRun: false, skipIntegrityErrors: false });

test('errors in a thread reject their batch with their type, and the threads keep answering', { timeout: 60_000 }, async () => {
  const known = new KnownIds();
  known.add('organization', ORG);
  const pool = createBatchRunner(testConfig(source, { convert_bulk_threads: '2' }), known);
  try {
    // Together, so both threads get a failing batch.
    const [orphan, broken, unknown] = await Promise.allSettled([
      pool.run(usageJob([usage('a1', ORG), usage('a2', 'tkcorg_missing')])),
      pool.run(usageJob([usage('b1', ORG), undecodable('b2')])),
      pool.run(usageJob([usage('c1', ORG)], 'no_such_data_set')),
    ]);
    assert.equal(orphan.status, 'rejected');
    assert.ok(orphan.reason instanceof IntegrityError, `an IntegrityError, not ${String(orphan.reason)}`);
    assert.equal(orphan.reason.code, 'INTEGRITY');
    assert.match(orphan.reason.message, /^usage_records: record 0{22}a2: organizationId references organization "tkcorg_missing"/);
    assert.deepEqual(orphan.reason.context, { dataSet: 'usage_records', recordId: `${'0'.repeat(22)}a2` });
    assert.equal(broken.status, 'rejected');
    assert.ok(broken.reason instanceof SourceError, `a SourceError, not ${String(broken.reason)}`);
    assert.equal(broken.reason.code, 'SOURCE_READ');
    assert.match(broken.reason.message, /^usage: a document after _id \{"\$oid":"0{22}b1"\} cannot be decoded \(Invalid UTF-8/);
    assert.equal(unknown.status, 'rejected');
    assert.match(String((unknown.reason as Error).message), /no bulk data set named no_such_data_set/);

    const outputs = await Promise.all(['d1', 'd2', 'd3', 'd4'].map((id) => pool.run(usageJob([usage(id, ORG)]))));
    assert.deepEqual(outputs.map((o) => [o.documents, o.loaded, o.failures.length]), Array(4).fill([1, 1, 0]));
    assert.ok(outputs.every((o) => decoder.decode(o.text[0]).includes('tkcorg_00000000000000a1')));
  } finally {
    await pool.close();
  }
});

test('a thread that dies rejects its batches instead of leaving them waiting', { timeout: 60_000 }, async () => {
  // The only way to end a thread from outside is its start: it builds the data sets from the
  // configuration, and usage_records calls toISOString on a `since` that here is not a date.
  const config = testConfig(source, { convert_bulk_threads: '1' });
  const pool = createBatchRunner({ ...config, convert: { ...config.convert, since: 'not a date' as unknown as Date } }, new KnownIds());
  try {
    await assert.rejects(pool.run(usageJob([usage('e1', ORG)])), (err: unknown) => err instanceof InternalError && /transform thread (failed|exited unexpectedly)/.test(err.message));
    await assert.rejects(pool.run(usageJob([usage('e2', ORG)])), /transform thread (failed|exited unexpectedly)/, 'later batches fail at once');
  } finally {
    await pool.close();
  }
});

test('a dead transform thread stops the bulk phase at once: no connection-error retries', { timeout: 60_000 }, async () => {
  const target = await createTestDatabases('bulk-threads-dead');
  targets.push(target);
  const engine = await testEngine({ pgUrl: target.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, { convert_work_dir: mkdtempSync(join(tmpdir(), 'mongo2pg-work-')), convert_bulk_threads: '1' });
  const warnings: string[] = [];
  engine.ctx.logger.warn = ((message: string) => {
    warnings.push(message);
    return engine.ctx.logger;
  }) as typeof engine.ctx.logger.warn;
  try {
    await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
    const usageRecords = bulkDataSetList(engine.config).filter((d) => d.name === 'usage_records');
    // The threads build their data sets from this configuration, and die on it.
    engine.ctx.config = { ...engine.config, convert: { ...engine.config.convert, since: 'not a date' as unknown as Date } };
    const started = Date.now();
    await assert.rejects(runBulkPhase(engine.ctx, usageRecords, () => undefined), InternalError);
    assert.ok(Date.now() - started < 10_000, `stopped after ${Date.now() - started} ms`);
    assert.deepEqual(warnings.filter((w) => /connection error/.test(w)), []);
  } finally {
    await engine.close();
  }
});

test('documents of an orphan collection fail the integrity check before their transform', async () => {
  const runner = createBatchRunner(testConfig(source, { convert_bulk_threads: '0' }), new KnownIds());
  // An execution needs its organisation/environment to transform; an orphan collection has none.
  const job = (skipIntegrityErrors: boolean): BatchJob => ({
    dataSet: EXECUTIONS_DATA_SET, source: { collection: 'testworkflowresults_tkcorg_gone_tkcenv_gone', orphan: true },
    bytes: concat([BSON.serialize({ _id: new ObjectId(), id: 'exec-of-nobody' })]), dryRun: false, skipIntegrityErrors,
  });
  try {
    await assert.rejects(runner.run(job(false)), (err: unknown) => err instanceof IntegrityError && /record exec-of-nobody: collection testworkflowresults_tkcorg_gone_tkcenv_gone belongs to no existing/.test(err.message));
    const skipped = await runner.run(job(true));
    assert.deepEqual([skipped.loaded, skipped.failures, skipped.skips.map((s) => [s.id, s.code])], [0, [], [['exec-of-nobody', 'INTEGRITY']]]);
  } finally {
    await runner.close();
  }
});

interface BulkOutcome {
  stats: Array<[string, number, number, number, number]>;
  tables: Record<string, string>;
  counters: Array<[string, number]>;
  usageRanges: number;
}

/** The whole bulk phase from the fixture source into a fresh database. */
async function bulkRun(label: string, flags: Record<string, string>): Promise<BulkOutcome> {
  const target = await createTestDatabases(label);
  targets.push(target);
  const engine = await testEngine({ pgUrl: target.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, {
    convert_work_dir: mkdtempSync(join(tmpdir(), 'mongo2pg-work-')), convert_skip_integrity_errors: 'true', convert_bulk_write_size: '50', convert_bulk_read_size: '40', ...flags,
  });
  try {
    await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
    for (const org of manifest.organizations) engine.ctx.known.add('organization', org);
    for (const env of manifest.environments) engine.ctx.known.add('environment', environmentKey(env.organizationId, env.environmentId));
    const dataSets = bulkDataSetList(engine.config);
    const stats = await runBulkPhase(engine.ctx, dataSets, () => undefined);
    const tables: Record<string, string> = {};
    for (const { table, columns } of dataSets.flatMap((d) => d.tables)) {
      const d = await tableDigest(engine.pool, table, columns);
      tables[table] = `${d.rows}:${d.digest}`;
    }
    const ranges = await engine.pool.query("SELECT count(*)::int AS n FROM mongo2pg.bulk_progress WHERE data_set = 'usage_records' AND id_type = 'objectId'").catch(() => ({ rows: [{ n: 0 }] }));
    return {
      stats: stats.map((s) => [s.name, s.total, s.successful, s.failed, s.skipped]),
      tables,
      counters: [...(dataSets.find((d) => d.name === EXECUTIONS_DATA_SET)?.counters ?? [])].sort(([a], [b]) => a.localeCompare(b)),
      usageRanges: ranges.rows[0]?.n as number,
    };
  } finally {
    await engine.close();
  }
}

let sequential: Promise<BulkOutcome> | undefined;
const inlineSequentialRun = (): Promise<BulkOutcome> => (sequential ??= bulkRun('bulk-threads-inline', { convert_bulk_threads: '0', convert_bulk_parallel: '1' }));

test('a bulk phase on two threads and two workers lands what one inline worker lands', async () => {
  const inline = await inlineSequentialRun();
  const threaded = await bulkRun('bulk-threads-threaded', { convert_bulk_threads: '2', convert_bulk_parallel: '2' });
  assert.equal(inline.usageRanges, 1);
  assert.equal(threaded.usageRanges, 2, 'usage was split into two ranges');
  assert.deepEqual(threaded.tables, inline.tables);
  assert.deepEqual(threaded.stats, inline.stats);
  assert.deepEqual(threaded.counters, inline.counters);
  assert.ok(inline.counters.length > 0, 'executions dropped fields');
  for (const [name, total, successful, failed, skipped] of inline.stats) {
    assert.ok(successful > 0 && total === successful + failed + skipped, `${name}: ${total} = ${successful} + ${failed} + ${skipped}`);
  }
  assert.ok(inline.stats.some(([, , , failed]) => failed > 0) && inline.stats.some(([, , , , skipped]) => skipped > 0), 'failures and skips are compared too');
  assert.ok(Object.values(inline.tables).some((t) => !t.startsWith('0:')));
});

test('a dry run on threads counts what the real run does and writes nothing', async () => {
  const real = await inlineSequentialRun();
  const dry = await bulkRun('bulk-threads-dry', { convert_bulk_threads: '2', convert_dry_run: 'true' });
  assert.deepEqual(dry.stats, real.stats);
  assert.deepEqual(dry.counters, real.counters);
  for (const [table, digest] of Object.entries(dry.tables)) assert.ok(digest.startsWith('0:'), `${table} is empty`);
});
