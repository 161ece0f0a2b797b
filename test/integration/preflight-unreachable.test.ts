import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import winston from 'winston';
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
  const retries = log.entries().filter((e) => String(e.message).startsWith('MongoDB not reachable (attempt '));
  assert.deepEqual(retries.map((e) => e.attempt), [1, 2]);
  retries.forEach((e, i) => assert.match(String(e.message), new RegExp(`^MongoDB not reachable \\(attempt ${i + 1} of 3, giving up by \\d\\d:\\d\\d:\\d\\dZ at the latest\\), retrying$`)));
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
  const retries = log.entries().filter((e) => String(e.message).startsWith('PostgreSQL not reachable (attempt '));
  assert.deepEqual(retries.map((e) => e.attempt), [1, 2]);
  retries.forEach((e, i) => assert.match(String(e.message), new RegExp(`^PostgreSQL not reachable \\(attempt ${i + 1} of 3, giving up by \\d\\d:\\d\\d:\\d\\dZ at the latest\\), retrying$`)));
});

test('a PostgreSQL error no retry can fix (no such database) is not retried', async () => {
  const log = captureLogger();
  const url = new URL(db.pgUrl);
  url.pathname = '/no_such_database_m2p';
  const config = testConfig(db, { API_POSTGRES_URL: url.toString(), API_POSTGRES_CONNECTION_ATTEMPTS: '5', API_POSTGRES_CONNECTION_DELAY: '1s' });
  const started = Date.now();
  await assert.rejects(connectSink(config, log.logger), (err: unknown) => err instanceof PreflightError && err.check === 'postgres-reachable' && /refused the connection \(not retried\): .*does not exist/.test(err.message));
  assert.ok(Date.now() - started < 1000);
  assert.equal(log.entries().filter((e) => String(e.message).startsWith('PostgreSQL not reachable (attempt ')).length, 0);
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

test('a connection attempt longer than PROGRESS_INTERVAL still logs "still connecting (attempt N of M, giving up by …)" (issue 16)', async () => {
  // A server that accepts TCP connections and never answers: each attempt lasts its whole timeout.
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  const intervalMs = 300;
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => { chunks.push(chunk.toString('utf8')); done(); } });
  const logger = winston.createLogger({ level: 'debug', format: winston.format.combine(winston.format.timestamp(), winston.format.json()), transports: [new winston.transports.Stream({ stream })] });
  try {
    for (const [name, connect, env] of [
      ['MongoDB', connectSource, { API_MONGO_DSN: `mongodb://127.0.0.1:${port}/?directConnection=true`, API_MONGO_CONNECTION_ATTEMPTS: '2', API_MONGO_CONNECTION_DELAY: '50ms', API_MONGO_CONNECTION_TIMEOUT: '1500ms' }],
      ['PostgreSQL', connectSink, { API_POSTGRES_URL: `postgres://app:${PG_PW}@127.0.0.1:${port}/target`, API_POSTGRES_CONNECTION_ATTEMPTS: '2', API_POSTGRES_CONNECTION_DELAY: '50ms', API_POSTGRES_CONNECTION_TIMEOUT: '1500ms' }],
    ] as const) {
      chunks.length = 0;
      const config = testConfig(db, { ...env, PROGRESS_INTERVAL: `${intervalMs}ms` });
      const started = Date.now();
      await assert.rejects((connect as typeof connectSink)(config, logger), PreflightError);
      const ended = Date.now();
      const entries = chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { message: string; timestamp: string; attempt?: number });
      const still = entries.filter((e) => e.message.startsWith(`${name}: still connecting (attempt `));
      // Two attempts of 1.5 s each, a line every 0.3 s: several during each attempt.
      assert.ok(still.some((e) => e.attempt === 1) && still.some((e) => e.attempt === 2), JSON.stringify(entries));
      for (const e of still) assert.match(e.message, new RegExp(`^${name}: still connecting \\(attempt ${e.attempt} of 2, giving up by \\d\\d:\\d\\d:\\d\\dZ at the latest\\)$`));
      // No silence longer than the interval (plus scheduling slack on a loaded machine) from start to give-up.
      const times = [started, ...entries.map((e) => Date.parse(e.timestamp)), ended];
      const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
      assert.ok(Math.max(...gaps) <= intervalMs + 500, `${name}: gaps ${gaps.join(', ')} ms`);
    }
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});
