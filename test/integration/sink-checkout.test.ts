// A connection PostgreSQL ends while a client is out of the pool (pg_terminate_backend) fails the
// query in progress and nothing else: no unhandled 'error' event ends the process, the lost
// connection is not pooled again, and the pool goes on working. The pool here listens for 'error'
// as connectSink's does: the end of the socket may come after the query failed and the client went
// back to the pool, and then the pool (not the client) reports it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { checkout, inTransaction } from '../../app/sink/postgres.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';

let db: TestDatabases;
let pool: pg.Pool;
const poolErrors: Error[] = [];

before(async () => {
  db = await createTestDatabases('sink-checkout');
  pool = new pg.Pool({ connectionString: db.pgUrl, max: 2 });
  pool.on('error', (err) => void poolErrors.push(err));
});
after(async () => {
  await pool?.end();
  await db.cleanup();
});

async function terminate(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: db.pgUrl });
  await admin.connect();
  try {
    // Wait until the backend is inside the query, then end it.
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid]);
      if (rows[0]?.state === 'active') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

test('a client straight from pg-pool has nobody listening for a lost connection (the hazard checkout covers)', async () => {
  const client = await pool.connect();
  try {
    assert.equal(client.listenerCount('error'), 0);
  } finally {
    client.release();
  }
});

test('a connection ended mid-query fails that query only; the process lives and the pool recovers', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => void uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const client = await checkout(pool);
    const removed = new Promise<pg.PoolClient>((resolve) => pool.on('remove', resolve));
    let pid: number;
    try {
      pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const sleeping = assert.rejects(client.query('SELECT pg_sleep(30)'), /terminat/i);
      await terminate(pid);
      await sleeping;
    } finally {
      client.release();
    }
    // The lost connection leaves the pool, whether its end came before or after the release.
    const gone = await Promise.race([removed, new Promise((r) => setTimeout(() => r('timeout'), 5000))]);
    assert.equal(gone, client);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(uncaught, []);
    // Only that connection's end was reported, if at all.
    for (const err of poolErrors) assert.match(err.message, /terminat/i);
    // The lost connection was discarded: the next client is a new backend, and it works.
    const next = await checkout(pool);
    try {
      const { rows } = await next.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      assert.notEqual(rows[0]!.pid, pid);
    } finally {
      next.release();
    }
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});

test('inTransaction commits, and rolls back when its function fails', async () => {
  await pool.query('CREATE TABLE checkout_t (n int)');
  await inTransaction(pool, (c) => c.query('INSERT INTO checkout_t VALUES (1)'));
  await assert.rejects(inTransaction(pool, async (c) => {
    await c.query('INSERT INTO checkout_t VALUES (2)');
    throw new Error('refused');
  }), /refused/);
  const { rows } = await pool.query<{ n: number }>('SELECT n FROM checkout_t ORDER BY n');
  assert.deepEqual(rows.map((r) => r.n), [1]);
});
