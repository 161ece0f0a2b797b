import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { encryptSourceSecret, sourceSecretFields } from '../../app/credentials/source-format.js';
import { ExitCode, PreflightError } from '../../app/errors.js';
import { preflightSettings, runPreflight } from '../../app/preflight/gate.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { FIXTURE_MASTER_PASSWORD, captureLogger, connect, generateSmallWorld, targetSnapshot, testConfig, type Connections } from './preflight-support.js';

const WRONG = 'not-the-master-password-but-long-enough-0123';
let db: TestDatabases;
let conn: Connections;

before(async () => {
  db = await createTestDatabases('preflight-master-password');
  conn = await connect(db);
  await generateSmallWorld(conn.source);
});
after(async () => {
  await conn?.close();
  await db?.cleanup();
});

async function refusal(env: Record<string, string>): Promise<{ err: PreflightError; log: string }> {
  const log = captureLogger();
  const config = testConfig(db, env);
  try {
    await runPreflight({ config, db: conn.source, pool: conn.pool, logger: log.logger, schemaDir: SCHEMA_DIR });
  } catch (err) {
    assert.ok(err instanceof PreflightError, String(err));
    return { err, log: log.text() };
  }
  assert.fail('the gate passed');
}

test('a wrong master password is refused: it says so and how many sampled credentials failed; nothing is written', async () => {
  const before = await targetSnapshot(db.pgUrl);
  const { err, log } = await refusal({ CREDENTIALS_MASTER_PASSWORD: WRONG });
  assert.equal(err.check, 'master-password');
  assert.equal(err.code, 'PREFLIGHT_FAILED');
  assert.equal(err.exitCode, ExitCode.preflightFailed);
  const sampled = Math.min(await conn.source.collection('credentials').countDocuments(), 24);
  assert.match(err.message, new RegExp(`the master password does not match the one the source credentials were encrypted with: ${sampled} of ${sampled} sampled credentials failed authenticated decryption`));
  assert.match(err.message, /nothing was written/);
  assert.ok(!err.message.includes(WRONG) && !log.includes(WRONG), 'the password is not shown');
  assert.equal(await targetSnapshot(db.pgUrl), before);
});

test('a short master password is refused before connecting, and by the gate', async () => {
  const short = 'short-password-0123456789';
  const config = testConfig(db, { CREDENTIALS_MASTER_PASSWORD: short });
  assert.throws(() => preflightSettings(config), (err: unknown) => err instanceof PreflightError && err.check === 'master-password-length' && /too short: 25 characters, at least 32 are required/.test(err.message) && !err.message.includes(short));
  const { err } = await refusal({ CREDENTIALS_MASTER_PASSWORD: short });
  assert.equal(err.check, 'master-password-length');
  assert.equal(err.exitCode, ExitCode.preflightFailed);
});

test('credentials encrypted under another password among good ones are counted and named', async () => {
  const other = conn.source.collection('credentials');
  const sealed = encryptSourceSecret('stray', WRONG, { iterations: 1000 });
  // Sorts first by _id, so the "oldest" part of the sample picks it up.
  await other.insertOne({ _id: '000000000000000000000000' as never, name: 'STRAY', ...sourceSecretFields(sealed) });
  try {
    const { err } = await refusal({});
    assert.equal(err.check, 'master-password');
    assert.match(err.message, /1 of \d+ sampled credentials failed authenticated decryption with this master password while \d+ decrypted/);
    assert.match(err.message, /ids: 000000000000000000000000/);
  } finally {
    await other.deleteOne({ _id: '000000000000000000000000' as never });
  }
});

test('a source without credentials passes with a warning: the password cannot be verified', async () => {
  const empty = await createTestDatabases('preflight-no-credentials');
  const c = await connect(empty);
  try {
    await c.source.collection('organizations').insertOne({ _id: 'org-1' as never, name: 'Acme' });
    const log = captureLogger();
    const report = await runPreflight({ config: testConfig(empty), db: c.source, pool: c.pool, logger: log.logger, schemaDir: SCHEMA_DIR });
    const check = report.checks.find((r) => r.check === 'master-password');
    assert.equal(check?.status, 'warn');
    assert.match(check?.message ?? '', /no credentials/);
  } finally {
    await c.close();
    await empty.cleanup();
  }
});

test('the right password passes', async () => {
  const log = captureLogger();
  const report = await runPreflight({ config: testConfig(db), db: conn.source, pool: conn.pool, logger: log.logger, schemaDir: SCHEMA_DIR });
  assert.equal(report.checks.find((r) => r.check === 'master-password')?.status, 'pass');
  assert.ok(!log.text().includes(FIXTURE_MASTER_PASSWORD));
});
