import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runPreflight } from '../../app/preflight/gate.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { bulkDataSets, recordDataSets } from '../../app/datasets/registry.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { FIXTURE_MASTER_PASSWORD, captureLogger, connect, generateSmallWorld, targetSnapshot, testConfig, type Connections } from './preflight-support.js';

let db: TestDatabases;
let conn: Connections;

before(async () => {
  db = await createTestDatabases('preflight-passes');
  conn = await connect(db);
  await generateSmallWorld(conn.source);
});
after(async () => {
  await conn?.close();
  await db?.cleanup();
});

test('a realistic source and an empty target pass every check and nothing is written', async () => {
  const config = testConfig(db);
  const before = await targetSnapshot(db.pgUrl);
  const log = captureLogger();
  const report = await runPreflight({ config, db: conn.source, pool: conn.pool, logger: log.logger, schemaDir: SCHEMA_DIR });

  const status = Object.fromEntries(report.checks.map((c) => [c.check, c.status]));
  assert.deepEqual(status, { 'master-password-length': 'pass', 'work-dir': 'pass', 'source-collections': 'pass', 'postgres-permissions': 'pass', 'target-empty': 'pass', 'master-password': 'pass' });
  const password = report.checks.find((c) => c.check === 'master-password');
  assert.ok((password?.details?.decrypted as number) > 0, 'real credentials were decrypted');
  assert.equal(await targetSnapshot(db.pgUrl), before, 'the target is untouched');
  assert.ok(!log.text().includes(FIXTURE_MASTER_PASSWORD));
});

test('the summary has a document count for every data set of the registry', async () => {
  const config = testConfig(db);
  const log = captureLogger();
  const report = await runPreflight({ config, db: conn.source, pool: conn.pool, logger: log.logger, schemaDir: SCHEMA_DIR });
  const names = [...recordDataSets(config), ...bulkDataSets(config)].map((d) => d.name);
  assert.deepEqual(report.sources.map((s) => s.dataSet), names);
  const orgs = report.sources.find((s) => s.dataSet === 'organizations');
  assert.equal(orgs?.documents, await conn.source.collection('organizations').countDocuments());
  // Every data set is accounted for: its own line when it has documents, else named in the one line of empty ones.
  const summaryLines = log.entries().filter((e) => e.kind === 'preflight-summary');
  const own = summaryLines.filter((e) => typeof e.data_set === 'string');
  const emptyLines = summaryLines.filter((e) => Array.isArray(e.data_sets));
  assert.ok(emptyLines.length <= 1, 'at most one line for the empty data sets');
  const emptyNames = (emptyLines[0]?.data_sets ?? []) as string[];
  assert.deepEqual([...own.map((e) => e.data_set as string), ...emptyNames].sort(), [...names].sort());
  for (const e of own) assert.equal(e.documents, report.sources.find((s) => s.dataSet === e.data_set)?.documents, String(e.data_set));
  assert.ok(own.every((e) => (e.documents as number) > 0));
  assert.deepEqual(emptyNames, report.sources.filter((s) => s.documents === 0).map((s) => s.dataSet));
});

test('an empty source: one summary line says every data set is empty, not one line each (issue 16)', async () => {
  const empty = await createTestDatabases('preflight-empty-source');
  const emptyConn = await connect(empty);
  try {
    const config = testConfig(empty);
    const log = captureLogger();
    await runPreflight({ config, db: emptyConn.source, pool: emptyConn.pool, logger: log.logger, schemaDir: SCHEMA_DIR }).catch(() => undefined);
    const names = [...recordDataSets(config), ...bulkDataSets(config)].map((d) => d.name);
    const summaryLines = log.entries().filter((e) => e.kind === 'preflight-summary');
    assert.equal(summaryLines.length, 1, JSON.stringify(summaryLines));
    assert.equal(summaryLines[0]?.message, `source: all ${names.length} data sets are empty (nothing to migrate)`);
    assert.deepEqual(summaryLines[0]?.data_sets, names);
    assert.ok(!log.text().includes('about 0 document(s)'));
  } finally {
    await emptyConn.close();
    await empty.cleanup();
  }
});
