import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PreflightError } from '../../app/errors.js';
import { runPreflight } from '../../app/preflight/gate.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { captureLogger, connect, targetSnapshot, testConfig, type Connections } from './preflight-support.js';

let db: TestDatabases;
let conn: Connections;

before(async () => {
  db = await createTestDatabases('preflight-collections');
  conn = await connect(db);
});
after(async () => {
  await conn?.close();
  await db?.cleanup();
});

test('a database with none of the source collections (wrong API_MONGO_DB) is refused, listing them', async () => {
  await conn.source.collection('something_else').insertOne({ x: 1 });
  const before = await targetSnapshot(db.pgUrl);
  await assert.rejects(
    runPreflight({ config: testConfig(db), db: conn.source, pool: conn.pool, logger: captureLogger().logger, schemaDir: SCHEMA_DIR }),
    (err: unknown) => err instanceof PreflightError && err.check === 'source-collections' && /has none of the source collections \(.*organizations.*\); check API_MONGO_DB/.test(err.message),
  );
  assert.equal(await targetSnapshot(db.pgUrl), before);
});

test('some collections missing (features never used) are listed as a warning', async () => {
  await conn.source.collection('organizations').insertOne({ _id: 'org-1' as never, name: 'Acme' });
  const log = captureLogger();
  const report = await runPreflight({ config: testConfig(db), db: conn.source, pool: conn.pool, logger: log.logger, schemaDir: SCHEMA_DIR });
  const check = report.checks.find((c) => c.check === 'source-collections');
  assert.equal(check?.status, 'warn');
  assert.doesNotMatch(check?.message ?? '', /organizations/);
  assert.match(check?.message ?? '', /source collections missing in database ".*" \(their data sets will migrate 0 records\): /);
  assert.equal(report.sources.find((s) => s.dataSet === 'organizations')?.documents, 1);
});
