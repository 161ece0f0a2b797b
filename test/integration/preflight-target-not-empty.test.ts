import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import winston from 'winston';
import { ExitCode, PreflightError } from '../../app/errors.js';
import { runPreflight } from '../../app/preflight/gate.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { captureLogger, connect, generateSmallWorld, targetSnapshot, testConfig, type Connections } from './preflight-support.js';

let db: TestDatabases;
let conn: Connections;

before(async () => {
  db = await createTestDatabases('preflight-target-not-empty');
  conn = await connect(db);
  await generateSmallWorld(conn.source);
});
after(async () => {
  await conn?.close();
  await db?.cleanup();
});

test('a target whose schema is applied but holds no rows counts as empty', async () => {
  await migrateSchema(conn.pool, SCHEMA_DIR, winston.createLogger({ silent: true }));
  const report = await runPreflight({ config: testConfig(db), db: conn.source, pool: conn.pool, logger: captureLogger().logger, schemaDir: SCHEMA_DIR });
  assert.equal(report.checks.find((c) => c.check === 'target-empty')?.status, 'pass');
});

test('rows in a table the migration writes refuse the run, naming the table; nothing is written', async () => {
  await conn.pool.query(`INSERT INTO organizations (id, name) VALUES ('org-existing', 'Existing')`);
  const before = await targetSnapshot(db.pgUrl);
  await assert.rejects(
    runPreflight({ config: testConfig(db), db: conn.source, pool: conn.pool, logger: captureLogger().logger, schemaDir: SCHEMA_DIR }),
    (err: unknown) => {
      assert.ok(err instanceof PreflightError);
      assert.equal(err.check, 'target-empty');
      assert.equal(err.exitCode, ExitCode.preflightFailed);
      assert.match(err.message, /the target database is not empty: organizations \(1 row\)\. .*set CONVERT_SKIP_EXISTING=true/);
      return true;
    },
  );
  assert.equal(await targetSnapshot(db.pgUrl), before);
});

test('rows in the bulk progress table (an earlier, interrupted run) refuse the run too', async () => {
  await conn.pool.query('DELETE FROM organizations');
  await conn.pool.query('CREATE SCHEMA IF NOT EXISTS mongo2pg');
  await conn.pool.query('CREATE TABLE mongo2pg.bulk_progress (data_set text, source text)');
  await conn.pool.query(`INSERT INTO mongo2pg.bulk_progress VALUES ('usage_records', 'usage')`);
  try {
    await assert.rejects(
      runPreflight({ config: testConfig(db), db: conn.source, pool: conn.pool, logger: captureLogger().logger, schemaDir: SCHEMA_DIR }),
      (err: unknown) => err instanceof PreflightError && err.check === 'target-empty' && /mongo2pg\.bulk_progress \(1 row\)/.test(err.message),
    );
  } finally {
    await conn.pool.query('DROP SCHEMA mongo2pg CASCADE');
  }
});

test('rows in any table of the tool\'s own schema (e.g. constraints set aside by a killed run) refuse the run', async () => {
  await conn.pool.query('CREATE SCHEMA IF NOT EXISTS mongo2pg');
  await conn.pool.query('CREATE TABLE mongo2pg.some_future_bookkeeping (x int)');
  await conn.pool.query('INSERT INTO mongo2pg.some_future_bookkeeping VALUES (1)');
  try {
    await assert.rejects(
      runPreflight({ config: testConfig(db), db: conn.source, pool: conn.pool, logger: captureLogger().logger, schemaDir: SCHEMA_DIR }),
      (err: unknown) => err instanceof PreflightError && err.check === 'target-empty' && /mongo2pg\.some_future_bookkeeping \(1 row\)/.test(err.message),
    );
  } finally {
    await conn.pool.query('DROP SCHEMA mongo2pg CASCADE');
  }
});

test('with CONVERT_SKIP_EXISTING the gate reports what exists and lets the run resume', async () => {
  await conn.pool.query(`INSERT INTO organizations (id, name) SELECT 'org-' || g, 'Org ' || g FROM generate_series(1, 1005) AS g`);
  const log = captureLogger();
  const report = await runPreflight({ config: testConfig(db, { CONVERT_SKIP_EXISTING: 'true' }), db: conn.source, pool: conn.pool, logger: log.logger, schemaDir: SCHEMA_DIR });
  const check = report.checks.find((c) => c.check === 'target-empty');
  assert.equal(check?.status, 'warn');
  assert.match(check?.message ?? '', /resuming \(CONVERT_SKIP_EXISTING\): existing rows will be kept and skipped: organizations \(more than 1000 rows\)/);
  assert.ok(log.entries().some((e) => e.check === 'target-empty' && e.level === 'warn'));
});

test('a dry run against a non-empty target only warns: it writes nothing anyway', async () => {
  const report = await runPreflight({ config: testConfig(db, { CONVERT_DRY_RUN: 'true' }), db: conn.source, pool: conn.pool, logger: captureLogger().logger, schemaDir: SCHEMA_DIR });
  assert.equal(report.checks.find((c) => c.check === 'target-empty')?.status, 'warn');
});
