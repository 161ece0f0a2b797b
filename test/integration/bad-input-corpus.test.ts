// The bad-input corpus (test/faults/bad-input-corpus.ts) through the real engines: every hostile or
// odd document is migrated faithfully (the value read back equals the faithful mapping) or
// reported with its code and a reason naming the field; the accounting identity holds for every
// data set, verification finds source and target equal, and nothing crashes.
//
// Paths: a document goes through the real driver into the test server when the server stores the
// BSON it was sent unchanged; otherwise (FerretDB v1 refuses Decimal128, NaN, dotted keys, nested
// arrays, turns -0 into 0 …) the engines read it from BSON bytes with the driver's decoding.
// Each kind's path and the reason are recorded (MONGO2PG_RESULTS_DIR, docs/verification.md).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BSON, MongoClient, type Db, type Document } from 'mongodb';
import pg from 'pg';
import { bulkDataSets, recordDataSets } from '../../app/datasets/registry.js';
import type { DataSet } from '../../app/datasets/types.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { runRecordDataSet } from '../../app/engine/record-engine.js';
import { errorMessage } from '../../app/errors.js';
import type { DataSetStats } from '../../app/report/stats.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { baseDocuments, corpus, countDocs, unencodable, type BadInput, type CorpusDataSet } from '../faults/bad-input-corpus.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { bsonBytesSource, verifyInProcess, workDir } from '../helpers/faults.js';

type Path = 'driver' | 'bson' | `alone:${string}`;
interface PathRun {
  path: Path;
  db: TestDatabases;
  engine: TestEngine;
  dir: string;
  stats: Map<string, DataSetStats>;
  error?: unknown;
}

const KINDS = corpus();
/** Kinds that stop the read run alone, after one good document, so the rest of the corpus still runs. */
const stops = (k: BadInput): boolean => k.docs.some((d) => d.expect.outcome === 'stops');
const NAMES: readonly CorpusDataSet[] = ['users', 'organizations', 'usage_records', 'test_workflow_executions'];
const pathOf = new Map<string, { path: Path; why: string }>();
const runs = new Map<Path, PathRun>();
let source: TestDatabases;
let mongo: MongoClient;

/** BSON the driver would send for a document: what the server must give back unchanged. */
const sent = (doc: Document): string => JSON.stringify(BSON.EJSON.serialize(BSON.deserialize(BSON.serialize(doc), { promoteLongs: false }), { relaxed: false }));

/** Writes a kind through the driver; returns why not when the server refuses or changes it. */
async function throughDriver(db: Db, kind: BadInput): Promise<string | null> {
  if (kind.rawBson) return `raw BSON: ${kind.rawBson}`;
  const written: Array<{ collection: string; id: unknown }> = [];
  for (const d of kind.docs) {
    const doc = d.doc as Document;
    try {
      await db.collection(d.collection).insertOne(doc);
      written.push({ collection: d.collection, id: doc._id });
      const back = await db.collection(d.collection).findOne({ _id: doc._id }, { promoteLongs: false });
      if (back === null || sent(back) !== sent(doc)) {
        const why = `the server stored it changed: ${sent(back ?? {}).slice(0, 120)}`;
        for (const w of written) await db.collection(w.collection).deleteOne({ _id: w.id as never });
        return why;
      }
    } catch (err) {
      for (const w of written) await db.collection(w.collection).deleteOne({ _id: w.id as never });
      return `the server refused it: ${errorMessage(err).slice(0, 120)}`;
    }
  }
  return null;
}

function dataSets(engine: TestEngine): { record: DataSet[]; bulk: DataSet[] } {
  const all = [...recordDataSets(engine.config), ...bulkDataSets(engine.config)];
  const pick = (n: string): DataSet => all.find((d) => d.name === n) as DataSet;
  return { record: [pick('users'), pick('organizations')], bulk: [pick('usage_records'), pick('test_workflow_executions')] };
}

async function runPath(path: Path, sourceDb: ReturnType<typeof bsonBytesSource> | Db): Promise<PathRun> {
  const db = await createTestDatabases(`bad-input-${path.replace(/^alone:.*/, 'alone')}`);
  const dir = workDir();
  // One bulk unit at a time: of two executions with one id in two environments' collections, the
  // one whose collection commits first lands and the other is reported (the race docs/verification.md
  // describes); the corpus asserts which, so the collections load in order.
  const engine = await testEngine({ pgUrl: db.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, { convert_work_dir: dir, convert_bulk_write_size: '10', convert_batch_size: '10', convert_bulk_parallel: '1' });
  engine.ctx.db = sourceDb;
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  const run: PathRun = { path, db, engine, dir, stats: new Map() };
  const { record, bulk } = dataSets(engine);
  try {
    for (const ds of record) run.stats.set(ds.name, await runRecordDataSet(engine.ctx, ds));
    for (const s of await runBulkPhase(engine.ctx, bulk, () => undefined)) run.stats.set(s.name, s);
  } catch (err) {
    run.error = err;
  }
  return run;
}

before(async () => {
  source = await createTestDatabases('bad-input-source');
  mongo = new MongoClient(source.mongoUrl, { promoteLongs: false });
  await mongo.connect();
  const db = mongo.db(source.mongoDb);
  const bsonCollections: Record<string, Array<Document | Uint8Array>> = {};
  for (const [collection, docs] of Object.entries(baseDocuments())) {
    await db.collection(collection).insertMany(docs);
    (bsonCollections[collection] ??= []).push(...docs);
  }
  for (const kind of KINDS) {
    if (stops(kind)) {
      const alone: Record<string, Array<Document | Uint8Array>> = { ...baseDocuments(), organizations: [...(baseDocuments().organizations ?? []), { _id: 'bad_before', name: 'read before it' }] };
      for (const d of kind.docs) (alone[d.collection] ??= []).push(d.doc);
      pathOf.set(kind.kind, { path: `alone:${kind.kind}`, why: `raw BSON: ${kind.rawBson ?? ''}; run alone, it stops the read` });
      runs.set(`alone:${kind.kind}`, await runPath(`alone:${kind.kind}`, bsonBytesSource(alone)));
      continue;
    }
    const why = await throughDriver(db, kind);
    pathOf.set(kind.kind, { path: why === null ? 'driver' : 'bson', why: why ?? 'stored unchanged by the server' });
    if (why !== null) for (const d of kind.docs) (bsonCollections[d.collection] ??= []).push(d.doc);
  }
  runs.set('driver', await runPath('driver', db));
  runs.set('bson', await runPath('bson', bsonBytesSource(bsonCollections)));
});
after(async () => {
  for (const r of runs.values()) {
    await r.engine.close();
    await r.db.cleanup();
  }
  await mongo?.close();
  await source?.cleanup();
});

function reportLines(run: PathRun, dataSet: string): Array<{ id: string; code: string; error: string; context: { collection?: string; skipped?: boolean } }> {
  const file = join(run.dir, `${dataSet}_migration_errors.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
}

/** One line per kind and document for docs/verification.md, when the run is asked to record. */
function record(entry: Record<string, unknown>): void {
  const dir = process.env.MONGO2PG_RESULTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'bad-input.jsonl'), `${JSON.stringify(entry)}\n`);
}

test(`the corpus has at least 30 kinds (${KINDS.length} kinds, ${countDocs(KINDS)} documents, ${unencodable().length} that BSON cannot hold)`, () => {
  assert.ok(KINDS.length >= 30);
  assert.equal(new Set(KINDS.map((k) => k.kind)).size, KINDS.length, 'kind names are unique');
});

test('no crash: the driver and BSON paths ran every data set to the end', () => {
  for (const run of [runs.get('driver'), runs.get('bson')] as PathRun[]) {
    assert.equal(run.error, undefined, `${run.path} path: ${errorMessage(run.error)}`);
    assert.deepEqual([...run.stats.keys()].sort(), [...NAMES].sort());
  }
});

test('the accounting identity holds for every data set, and verification finds source and target equal', async () => {
  for (const run of [runs.get('driver'), runs.get('bson')] as PathRun[]) {
    for (const s of run.stats.values()) assert.equal(s.total, s.successful + s.failed + s.skipped, `${run.path}: ${s.name}`);
    const config = run.engine.config;
    const all = [...recordDataSets(config), ...bulkDataSets(config)].filter((d) => (NAMES as readonly string[]).includes(d.name));
    const report = await verifyInProcess(config, { db: run.engine.ctx.db, dataSets: all, sequences: false });
    assert.deepEqual([...report.dataSets.flatMap((d) => d.problems), ...report.tableProblems], [], `${run.path} path`);
    for (const d of report.dataSets) {
      assert.equal(d.source, d.migrated + d.failed + d.skipped, `${run.path}: ${d.name}`);
      const s = run.stats.get(d.name);
      assert.deepEqual([d.source, d.migrated, d.failed], [s?.total, s?.successful, s?.failed], `${run.path}: ${d.name}: verification counts equal the run's statistics`);
    }
  }
});

for (const kind of KINDS) {
  test(`${kind.kind} (${kind.dataSet})`, kind.knownBug ? { todo: kind.knownBug } : {}, async () => {
    const { path, why } = pathOf.get(kind.kind) as { path: Path; why: string };
    const run = runs.get(path) as PathRun;
    const pool = run.engine.pool;
    const client = await pool.connect();
    try {
      await client.query("SET TimeZone = 'UTC'");
      for (const d of kind.docs) {
        if (d.expect.outcome === 'stops') {
          const err = run.error as { code?: string; message?: string } | undefined;
          assert.equal(err?.code, d.expect.code, errorMessage(run.error));
          assert.match(err?.message ?? '', d.expect.message);
          assert.equal(run.stats.has('organizations'), false, 'the data set did not finish: the run stopped at the document');
          record({ kind: kind.kind, dataSet: kind.dataSet, path: 'bson', why, id: d.id, outcome: 'stops the run', code: err?.code, detail: (err?.message ?? '').slice(0, 160) });
          continue;
        }
        const lines = reportLines(run, kind.dataSet).filter((l) => l.id === d.id && (l.context.collection ?? d.collection) === d.collection);
        if (d.expect.outcome === 'reported') {
          if (kind.knownBug) record({ kind: kind.kind, dataSet: kind.dataSet, path, why, id: d.id, outcome: 'KNOWN BUG', detail: kind.knownBug });
          assert.equal(lines.length, 1, `${d.id}: one report line`);
          const line = lines[0] as { code: string; error: string };
          assert.equal(line.code, d.expect.code, line.error);
          assert.match(line.error, d.expect.message);
          record({ kind: kind.kind, dataSet: kind.dataSet, path, why, id: d.id, outcome: 'reported', code: line.code, detail: line.error.slice(0, 160) });
          continue;
        }
        if (kind.knownBug) record({ kind: kind.kind, dataSet: kind.dataSet, path, why, id: d.id, outcome: 'KNOWN BUG', detail: kind.knownBug });
        assert.deepEqual(lines.map((l) => l.error), [], `${d.id}: not reported`);
        const shown: string[] = [];
        for (const c of d.expect.checks) {
          const { rows } = await client.query<{ v: string | null }>(`SELECT (${c.expr})::text AS v FROM ${pg.escapeIdentifier(c.table)} t WHERE t.${pg.escapeIdentifier(c.keyColumn)} = $1`, [c.key]);
          assert.equal(rows.length, 1, `${c.table} has the row ${c.key}`);
          assert.equal(rows[0]?.v, c.expected, `${c.table}: ${c.expr}`);
          shown.push(`${c.expr.replace(/^t\./, '')} = ${String(c.expected).length > 60 ? `${String(c.expected).slice(0, 57)}...` : c.expected}`);
        }
        record({ kind: kind.kind, dataSet: kind.dataSet, path, why, id: d.id, outcome: 'migrated', detail: shown.join('; ') });
      }
    } finally {
      client.release();
    }
  });
}

for (const u of unencodable()) {
  test(`${u.kind}: cannot exist in BSON, the driver refuses to encode it`, () => {
    assert.throws(() => BSON.serialize(u.build()), u.message);
    record({ kind: u.kind, dataSet: '-', path: 'none', why: 'BSON keys are NUL-terminated C strings', outcome: 'unencodable', detail: 'BSON.serialize refuses the key (null bytes)' });
  });
}
