// Proves the services the runner started are real servers speaking their real
// protocols: PostgreSQL, a MongoDB-wire server (FerretDB or MongoDB) and Pushgateway.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Decimal128, MongoClient, ObjectId } from 'mongodb';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../harness/databases.js';
import { describeMongo } from '../harness/mongo.js';
import { PG_URL_ENV } from '../harness/postgres.js';
import { PUSHGATEWAY_URL_ENV } from '../harness/pushgateway.js';

let dbs: TestDatabases;

before(async () => {
  dbs = await createTestDatabases('harness');
});

after(async () => {
  await dbs.cleanup();
});

test('PostgreSQL answers and the per-test database exists', async () => {
  const client = new pg.Client({ connectionString: dbs.pgUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; db: string }>('select version() as version, current_database() as db');
    assert.match(rows[0]!.version, /^PostgreSQL \d+/);
    assert.equal(rows[0]!.db, dbs.mongoDb); // same unique name on both sides
    await client.query('create table t (id int primary key, v jsonb)');
    await client.query('insert into t values (1, $1)', [{ a: [1, 2] }]);
    const read = await client.query<{ v: unknown }>('select v from t');
    assert.deepEqual(read.rows[0]!.v, { a: [1, 2] });
  } finally {
    await client.end();
  }
});

test('createTestDatabases gives distinct databases and cleanup drops them', async () => {
  const extra = await createTestDatabases('harness cleanup/probe');
  assert.notEqual(extra.mongoDb, dbs.mongoDb);
  assert.match(extra.mongoDb, /^t_harness_cleanup_probe_\d+_[0-9a-f]{8}$/);
  const mongo = new MongoClient(extra.mongoUrl);
  await mongo.connect();
  try {
    await mongo.db(extra.mongoDb).collection('c').insertOne({ x: 1 });
    await extra.cleanup();
    await extra.cleanup(); // idempotent
    const { databases } = await mongo.db('admin').admin().listDatabases();
    assert.ok(!databases.some((d) => d.name === extra.mongoDb), 'MongoDB database dropped');
  } finally {
    await mongo.close();
  }
  const admin = new pg.Client({ connectionString: process.env[PG_URL_ENV] });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [extra.mongoDb]);
    assert.equal(rowCount, 0, 'PostgreSQL database dropped');
  } finally {
    await admin.end();
  }
});

test('MongoDB round-trips Date, ObjectId and nested documents through the real driver', async () => {
  const client = new MongoClient(dbs.mongoUrl);
  await client.connect();
  try {
    const collection = client.db(dbs.mongoDb).collection('things');
    const docs = [
      { _id: new ObjectId(), at: new Date('2024-02-29T12:34:56.789Z'), nested: { tags: ['a', 'b'], deep: { n: 1, s: 'zürich ✓' } } },
      { _id: new ObjectId(), at: new Date(0), nested: { tags: [], deep: { n: 2, s: '' } } },
      { _id: new ObjectId(), at: new Date('1969-07-20T20:17:40Z'), nested: { tags: ['c'], deep: { n: 3, s: 'x' } } },
    ];
    const inserted = await collection.insertMany(docs);
    assert.equal(inserted.insertedCount, docs.length);

    const found = await collection.find({}).sort({ 'nested.deep.n': 1 }).toArray();
    assert.equal(found.length, docs.length);
    for (const [i, doc] of docs.entries()) {
      const got = found[i]!;
      assert.ok(got._id instanceof ObjectId && got._id.equals(doc._id));
      assert.ok(got.at instanceof Date);
      assert.equal(got.at.toISOString(), doc.at.toISOString());
      assert.deepEqual(got.nested, doc.nested);
    }
    assert.equal(await collection.countDocuments({ 'nested.deep.n': { $gte: 2 } }), 2);
  } finally {
    await client.close();
  }
});

test('MongoDB round-trips Decimal128', async (t) => {
  const server = await describeMongo(dbs.mongoUrl);
  if (server.flavor === 'ferretdb') {
    // FerretDB v1 has no Decimal128 type: the server panics on the document and drops
    // the connection. Covered when MONGO2PG_TEST_MONGO_URL names a real MongoDB.
    t.skip(`FerretDB ${server.version} does not support Decimal128`);
    return;
  }
  const client = new MongoClient(dbs.mongoUrl);
  await client.connect();
  try {
    const collection = client.db(dbs.mongoDb).collection<{ _id: number; price: Decimal128; nested: { price: Decimal128 } }>('prices');
    const values = ['12345678901234567890.123456789', '-0.000001', '1E+10', '0.10'];
    await collection.insertMany(values.map((v, i) => ({ _id: i, price: Decimal128.fromString(v), nested: { price: Decimal128.fromString(v) } })));
    const found = await collection.find({}).sort({ _id: 1 }).toArray();
    assert.deepEqual(
      found.map((d) => [d.price instanceof Decimal128, String(d.price), String(d.nested.price)]),
      values.map((v) => [true, Decimal128.fromString(v).toString(), Decimal128.fromString(v).toString()]),
    );
  } finally {
    await client.close();
  }
});

test('Pushgateway accepts a push and exposes it on /metrics', async () => {
  const base = process.env[PUSHGATEWAY_URL_ENV];
  assert.ok(base, `${PUSHGATEWAY_URL_ENV} is set by the test runner`);
  const job = `harness_${process.pid}`;
  const body = '# TYPE mongo2pg_harness_probe gauge\nmongo2pg_harness_probe{dataset="users"} 42\n';
  const push = await fetch(new URL(`/metrics/job/${job}`, base), { method: 'PUT', headers: { 'content-type': 'text/plain; version=0.0.4' }, body });
  assert.equal(push.status, 200, await push.text());
  try {
    const metrics = await (await fetch(new URL('/metrics', base))).text();
    assert.match(metrics, new RegExp(`^mongo2pg_harness_probe\\{dataset="users",instance="",job="${job}"\\} 42$`, 'm'));
  } finally {
    const removed = await fetch(new URL(`/metrics/job/${job}`, base), { method: 'DELETE' });
    assert.equal(removed.status, 202);
  }
});
