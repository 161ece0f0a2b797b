import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ExitCode, PreflightError } from '../../app/errors.js';
import { connectSink } from '../../app/sink/postgres.js';
import { connectSource } from '../../app/source/mongo.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { captureLogger, targetSnapshot, testConfig } from './preflight-support.js';

let db: TestDatabases;
let closedPort: number;

/** A port nothing listens on: bound once to learn a free number, then closed. */
async function freeClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(async () => {
  db = await createTestDatabases('preflight-unreachable');
  closedPort = await freeClosedPort();
});
after(async () => {
  await db?.cleanup();
});

const MONGO_PW = 'mongo-pw-unreachable-4471';
const PG_PW = 'pg-pw-unreachable-9923';

test('unreachable MongoDB: every attempt is logged as a retry, then the gate refuses; nothing is written', async () => {
  const before = await targetSnapshot(db.pgUrl);
  const log = captureLogger();
  const config = testConfig(db, {
    API_MONGO_DSN: `mongodb://app:${MONGO_PW}@127.0.0.1:${closedPort}/?authMechanism=PLAIN`,
    API_MONGO_CONNECTION_ATTEMPTS: '3',
    API_MONGO_CONNECTION_DELAY: '50ms',
    API_MONGO_CONNECTION_TIMEOUT: '300ms',
  });
  const started = Date.now();
  await assert.rejects(connectSource(config, log.logger), (err: unknown) => {
    assert.ok(err instanceof PreflightError);
    assert.equal(err.check, 'mongo-reachable');
    assert.equal(err.exitCode, ExitCode.preflightFailed);
    assert.match(err.message, /MongoDB is not reachable: 3 connection attempt\(s\) failed \(timeout 300ms, delay 50ms\); last error: .*ECONNREFUSED/);
    assert.ok(!err.message.includes(MONGO_PW));
    return true;
  });
  assert.ok(Date.now() - started < 10_000, 'bounded by attempts × (timeout + delay)');
  const retries = log.entries().filter((e) => e.message === 'MongoDB not reachable, retrying');
  assert.deepEqual(retries.map((e) => e.attempt), [1, 2]);
  assert.ok(retries.every((e) => e.attempts === 3 && e.delay_ms === 50));
  assert.equal(await targetSnapshot(db.pgUrl), before);
});

test('unreachable PostgreSQL: retried as configured, then the gate refuses', async () => {
  const log = captureLogger();
  const config = testConfig(db, {
    API_POSTGRES_URL: `postgres://app:${PG_PW}@127.0.0.1:${closedPort}/target`,
    API_POSTGRES_CONNECTION_ATTEMPTS: '3',
    API_POSTGRES_CONNECTION_DELAY: '50ms',
    API_POSTGRES_CONNECTION_TIMEOUT: '300ms',
  });
  await assert.rejects(connectSink(config, log.logger), (err: unknown) => {
    assert.ok(err instanceof PreflightError);
    assert.equal(err.check, 'postgres-reachable');
    assert.equal(err.exitCode, ExitCode.preflightFailed);
    assert.match(err.message, /PostgreSQL is not reachable: 3 connection attempt\(s\) failed \(timeout 300ms, delay 50ms\); last error: .*ECONNREFUSED/);
    assert.ok(!err.message.includes(PG_PW));
    return true;
  });
  assert.deepEqual(log.entries().filter((e) => e.message === 'PostgreSQL not reachable, retrying').map((e) => e.attempt), [1, 2]);
});

test('a PostgreSQL error no retry can fix (no such database) is not retried', async () => {
  const log = captureLogger();
  const url = new URL(db.pgUrl);
  url.pathname = '/no_such_database_m2p';
  const config = testConfig(db, { API_POSTGRES_URL: url.toString(), API_POSTGRES_CONNECTION_ATTEMPTS: '5', API_POSTGRES_CONNECTION_DELAY: '1s' });
  const started = Date.now();
  await assert.rejects(connectSink(config, log.logger), (err: unknown) => err instanceof PreflightError && err.check === 'postgres-reachable' && /refused the connection \(not retried\): .*does not exist/.test(err.message));
  assert.ok(Date.now() - started < 1000);
  assert.equal(log.entries().filter((e) => e.message === 'PostgreSQL not reachable, retrying').length, 0);
});

test('an abort during the retries stops at once with the abort reason', async () => {
  const controller = new AbortController();
  const config = testConfig(db, { API_MONGO_DSN: `mongodb://127.0.0.1:${closedPort}/`, API_MONGO_CONNECTION_ATTEMPTS: '100', API_MONGO_CONNECTION_DELAY: '5s', API_MONGO_CONNECTION_TIMEOUT: '200ms' });
  const reason = new Error('stop');
  setTimeout(() => controller.abort(reason), 500);
  const started = Date.now();
  await assert.rejects(connectSource(config, captureLogger().logger, controller.signal), (err: unknown) => err === reason);
  assert.ok(Date.now() - started < 3000);
});
