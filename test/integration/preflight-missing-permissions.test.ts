import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ExitCode, PreflightError } from '../../app/errors.js';
import { runPreflight } from '../../app/preflight/gate.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { captureLogger, connect, generateSmallWorld, targetSnapshot, testConfig, type Connections } from './preflight-support.js';

const role = `m2p_limited_${randomBytes(4).toString('hex')}`;
const rolePassword = `role-pw-${randomBytes(6).toString('hex')}`;
let db: TestDatabases;
let admin: Connections;
let limited: Connections;
let limitedUrl: string;

before(async () => {
  db = await createTestDatabases('preflight-permissions');
  admin = await connect(db);
  await generateSmallWorld(admin.source);
  await admin.pool.query(`CREATE ROLE ${role} LOGIN PASSWORD '${rolePassword}'`);
  // PostgreSQL 15+ gives PUBLIC no CREATE on schema public; older versions do. Make it explicit.
  await admin.pool.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  await admin.pool.query(`REVOKE CREATE ON DATABASE ${pg.escapeIdentifier(new URL(db.pgUrl).pathname.slice(1))} FROM PUBLIC`);
  const url = new URL(db.pgUrl);
  url.username = role;
  url.password = rolePassword;
  limitedUrl = url.toString();
  limited = await connect(db, limitedUrl);
});
after(async () => {
  await limited?.close();
  await admin?.close();
  await db?.cleanup();
  if (!db) return;
  const server = new pg.Client({ connectionString: new URL('/postgres', db.pgUrl).toString() });
  await server.connect();
  await server.query(`DROP ROLE IF EXISTS ${role}`);
  await server.end();
});

async function refused(): Promise<PreflightError> {
  try {
    await runPreflight({ config: testConfig(db, { API_POSTGRES_URL: limitedUrl }), db: limited.source, pool: limited.pool, logger: captureLogger().logger, schemaDir: SCHEMA_DIR });
  } catch (err) {
    assert.ok(err instanceof PreflightError, String(err));
    return err;
  }
  assert.fail('the gate passed');
}

test('a user without CREATE on the database and schema is refused with the GRANTs it needs; nothing is written', async () => {
  const before = await targetSnapshot(db.pgUrl);
  const err = await refused();
  assert.equal(err.check, 'postgres-permissions');
  assert.equal(err.exitCode, ExitCode.preflightFailed);
  assert.match(err.message, new RegExp(`PostgreSQL user "${role}" is missing privileges: it may not create tables in schema "public" \\(GRANT CREATE ON SCHEMA "public" TO "${role}"\\); nor create schema mongo2pg \\(GRANT CREATE ON DATABASE "[^"]+" TO "${role}"\\)`));
  assert.ok(!err.message.includes(rolePassword));
  assert.equal(await targetSnapshot(db.pgUrl), before);
});

test('existing tables owned by another role are named', async () => {
  const dbName = new URL(db.pgUrl).pathname.slice(1);
  await admin.pool.query(`GRANT CREATE ON SCHEMA public TO ${role}`);
  await admin.pool.query(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(dbName)} TO ${role}`);
  await admin.pool.query('CREATE TABLE organizations (id text PRIMARY KEY)');
  try {
    const err = await refused();
    assert.equal(err.check, 'postgres-permissions');
    assert.match(err.message, /it may not own the existing tables organizations \(ALTER TABLE … OWNER TO/);
    assert.doesNotMatch(err.message, /GRANT CREATE/);
  } finally {
    await admin.pool.query('DROP TABLE organizations');
  }
});

test('with the privileges granted the same user passes', async () => {
  const report = await runPreflight({ config: testConfig(db, { API_POSTGRES_URL: limitedUrl }), db: limited.source, pool: limited.pool, logger: captureLogger().logger, schemaDir: SCHEMA_DIR });
  assert.equal(report.checks.find((c) => c.check === 'postgres-permissions')?.status, 'pass');
});
