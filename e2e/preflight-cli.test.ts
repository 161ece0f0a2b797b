/**
 * The pre-flight gate through the built CLI, as an operator meets it: `mongo2pg preflight` and
 * `mongo2pg migrate` refuse a wrong or short master password, a non-empty target, unreachable
 * databases and a PostgreSQL user without privileges, each with its own message and exit code 3,
 * and the target is left exactly as it was. No DSN password or master password appears in any
 * output line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { ExitCode } from '../app/errors.js';
import { FIXTURE_MASTER_PASSWORD, generateFixtures } from '../test/fixtures/generate.js';
import { createTestDatabases, describeMongo, type TestDatabases } from '../test/harness/index.js';
import { jsonLines, runCli, type CliResult } from '../test/helpers/cli.js';
import { SMALL_WORLD, targetSnapshot } from '../test/integration/preflight-support.js';

const PG_PW = `pg-pw-${randomBytes(6).toString('hex')}`;
const MONGO_PW = `mongo-pw-${randomBytes(6).toString('hex')}`;
const WRONG_MASTER = `wrong-master-${randomBytes(12).toString('hex')}`;
let db: TestDatabases;
let env: Record<string, string>;
/** Every secret some run below was given; none may appear in any output. */
const secrets = new Set<string>([FIXTURE_MASTER_PASSWORD, WRONG_MASTER, PG_PW]);
const outputs: CliResult[] = [];
let closedPort: number;

/** A password in both DSNs, so the redaction is really tested. */
async function dsnsWithPasswords(d: TestDatabases): Promise<{ mongo: string; pg: string }> {
  const pgUrl = new URL(d.pgUrl);
  // The test servers trust local connections, so an added password is carried but not needed.
  if (pgUrl.password === '') pgUrl.password = PG_PW;
  else secrets.add(decodeURIComponent(pgUrl.password));
  const mongoUrl = new URL(d.mongoUrl);
  if (mongoUrl.password !== '') secrets.add(decodeURIComponent(mongoUrl.password));
  else if ((await describeMongo(d.mongoUrl)).flavor === 'ferretdb') {
    // FerretDB v1 without authentication accepts any PLAIN credentials.
    mongoUrl.username = 'app';
    mongoUrl.password = MONGO_PW;
    mongoUrl.searchParams.set('authMechanism', 'PLAIN');
    secrets.add(MONGO_PW);
  }
  return { mongo: mongoUrl.toString(), pg: pgUrl.toString() };
}

async function freeClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function cli(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  const r = await runCli(args, { ...env, ...extra });
  outputs.push(r);
  return r;
}

/** The one error line the refusal logged. */
function refusal(r: CliResult): Record<string, unknown> {
  const errors = jsonLines(r.stdout).filter((l) => l.code === 'PREFLIGHT_FAILED');
  assert.equal(errors.length, 1, r.stdout + r.stderr);
  return errors[0] as Record<string, unknown>;
}

before(async () => {
  db = await createTestDatabases('e2e-preflight');
  const mongo = await MongoClient.connect(db.mongoUrl);
  try {
    await generateFixtures(mongo.db(db.mongoDb), SMALL_WORLD);
  } finally {
    await mongo.close();
  }
  const dsns = await dsnsWithPasswords(db);
  closedPort = await freeClosedPort();
  env = {
    API_MONGO_DSN: dsns.mongo,
    API_MONGO_DB: db.mongoDb,
    API_POSTGRES_URL: dsns.pg,
    CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD,
    API_MONGO_CONNECTION_ATTEMPTS: '3',
    API_MONGO_CONNECTION_DELAY: '100ms',
    API_MONGO_CONNECTION_TIMEOUT: '500ms',
    API_POSTGRES_CONNECTION_ATTEMPTS: '3',
    API_POSTGRES_CONNECTION_DELAY: '100ms',
    API_POSTGRES_CONNECTION_TIMEOUT: '500ms',
    LOG_FORMAT: 'json',
  };
});
after(async () => {
  await db?.cleanup();
});

test('`preflight` on a realistic source and an empty target: exit 0, a summary, nothing written', async () => {
  const before = await targetSnapshot(db.pgUrl);
  const r = await cli(['preflight']);
  assert.equal(r.code, ExitCode.ok, r.stdout + r.stderr);
  const logs = jsonLines(r.stdout);
  assert.ok(logs.some((l) => l.message === 'pre-flight gate passed'));
  assert.ok(logs.some((l) => l.kind === 'preflight-summary' && l.data_set === 'organizations' && (l.documents as number) > 0));
  assert.equal(await targetSnapshot(db.pgUrl), before);
});

for (const command of ['preflight', 'migrate']) {
  test(`${command} with a wrong master password: exit 3, "does not match", how many sampled credentials failed; target untouched`, async () => {
    const before = await targetSnapshot(db.pgUrl);
    const r = await cli([command], { CREDENTIALS_MASTER_PASSWORD: WRONG_MASTER });
    assert.equal(r.code, ExitCode.preflightFailed, r.stdout + r.stderr);
    const line = refusal(r);
    assert.equal(line.check, 'master-password');
    assert.match(String(line.message), /the master password does not match the one the source credentials were encrypted with: (\d+) of \1 sampled credentials failed authenticated decryption/);
    assert.equal(await targetSnapshot(db.pgUrl), before);
  });
}

test('a short master password: exit 3 before connecting; target untouched', async () => {
  const before = await targetSnapshot(db.pgUrl);
  const r = await cli(['migrate'], { CREDENTIALS_MASTER_PASSWORD: 'only-twenty-chars-xx' });
  assert.equal(r.code, ExitCode.preflightFailed, r.stdout + r.stderr);
  const line = refusal(r);
  assert.equal(line.check, 'master-password-length');
  assert.match(String(line.message), /too short: 20 characters, at least 32 are required/);
  assert.ok(!jsonLines(r.stdout).some((l) => l.message === 'connected to MongoDB'));
  assert.equal(await targetSnapshot(db.pgUrl), before);
});

test('a non-empty target: exit 3 naming the table; the rows and the schema are left as they were', async () => {
  const client = new pg.Client({ connectionString: db.pgUrl });
  await client.connect();
  try {
    await client.query('CREATE TABLE organizations (id text PRIMARY KEY, name text NOT NULL)');
    await client.query(`INSERT INTO organizations VALUES ('org-from-before', 'Already here')`);
    const before = await targetSnapshot(db.pgUrl);
    const r = await cli(['migrate']);
    assert.equal(r.code, ExitCode.preflightFailed, r.stdout + r.stderr);
    const line = refusal(r);
    assert.equal(line.check, 'target-empty');
    assert.match(String(line.message), /the target database is not empty: organizations \(1 row\)/);
    assert.equal(await targetSnapshot(db.pgUrl), before);
    assert.deepEqual((await client.query('SELECT id, name FROM organizations')).rows, [{ id: 'org-from-before', name: 'Already here' }]);
  } finally {
    await client.query('DROP TABLE IF EXISTS organizations');
    await client.end();
  }
});

test('unreachable MongoDB: each retry logged, then exit 3; target untouched', async () => {
  const before = await targetSnapshot(db.pgUrl);
  const r = await cli(['migrate'], { API_MONGO_DSN: `mongodb://app:${MONGO_PW}@127.0.0.1:${closedPort}/?authMechanism=PLAIN` });
  secrets.add(MONGO_PW);
  assert.equal(r.code, ExitCode.preflightFailed, r.stdout + r.stderr);
  const logs = jsonLines(r.stdout);
  assert.deepEqual(logs.filter((l) => String(l.message).startsWith('MongoDB not reachable (attempt ')).map((l) => l.attempt), [1, 2]);
  const line = refusal(r);
  assert.equal(line.check, 'mongo-reachable');
  assert.match(String(line.message), /MongoDB is not reachable: 3 connection attempt\(s\) failed/);
  assert.equal(await targetSnapshot(db.pgUrl), before);
});

test('unreachable PostgreSQL: each retry logged, then exit 3', async () => {
  const r = await cli(['preflight'], { API_POSTGRES_URL: `postgres://app:${PG_PW}@127.0.0.1:${closedPort}/target` });
  assert.equal(r.code, ExitCode.preflightFailed, r.stdout + r.stderr);
  assert.deepEqual(jsonLines(r.stdout).filter((l) => String(l.message).startsWith('PostgreSQL not reachable (attempt ')).map((l) => l.attempt), [1, 2]);
  const line = refusal(r);
  assert.equal(line.check, 'postgres-reachable');
  assert.match(String(line.message), /PostgreSQL is not reachable: 3 connection attempt\(s\) failed/);
});

test('a PostgreSQL user without CREATE privileges: exit 3 with the GRANTs it needs; target untouched', async () => {
  // Its own target database, so the role's grants and the REVOKEs go away with it.
  const target = await createTestDatabases('e2e-preflight-permissions');
  const role = `m2p_e2e_${randomBytes(4).toString('hex')}`;
  const rolePw = `role-pw-${randomBytes(6).toString('hex')}`;
  secrets.add(rolePw);
  const admin = new pg.Client({ connectionString: target.pgUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${rolePw}'`);
    await admin.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await admin.query(`REVOKE CREATE ON DATABASE ${pg.escapeIdentifier(new URL(target.pgUrl).pathname.slice(1))} FROM PUBLIC`);
    const url = new URL(target.pgUrl);
    url.username = role;
    url.password = rolePw;
    const before = await targetSnapshot(target.pgUrl);
    const r = await cli(['migrate'], { API_POSTGRES_URL: url.toString() });
    assert.equal(r.code, ExitCode.preflightFailed, r.stdout + r.stderr);
    const line = refusal(r);
    assert.equal(line.check, 'postgres-permissions');
    assert.match(String(line.message), new RegExp(`PostgreSQL user "${role}" is missing privileges: it may not create tables in schema "public" \\(GRANT CREATE ON SCHEMA "public" TO "${role}"\\); nor create schema mongo2pg`));
    assert.equal(await targetSnapshot(target.pgUrl), before);
  } finally {
    await admin.end();
    await target.cleanup();
    const server = new pg.Client({ connectionString: new URL('/postgres', db.pgUrl).toString() });
    await server.connect();
    await server.query(`DROP ROLE IF EXISTS ${role}`);
    await server.end();
  }
});

test('no DSN password and no master password appears in any output line of the runs above', () => {
  assert.ok(outputs.length >= 7);
  for (const r of outputs) {
    const text = `${r.stdout}${r.stderr}`;
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret appeared in:\n${text}`);
  }
});
