// Verification finds every kind of difference between source and target, and nothing else:
// generated fixtures (messy, orphans skipped, edge cases) are migrated once, verification passes,
// then the target (or an error report) is altered one way at a time and verification must name
// the data set, the record id and the difference; each alteration is undone before the next.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import winston from 'winston';
import type { Config } from '../../app/config/load.js';
import { bulkDataSets, recordDataSets } from '../../app/datasets/registry.js';
import type { DataSet } from '../../app/datasets/types.js';
import type { SourceDb } from '../../app/source/source-db.js';
import { verifyStep } from '../../app/verify/command.js';
import type { Problem, VerificationReport } from '../../app/verify/types.js';
import { FIXTURE_MASTER_PASSWORD, generateFixtures } from '../fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { breakFirstRead } from '../helpers/flaky-source.js';
import { migrateInProcess, testConfig, verifyInProcess, workDir } from '../helpers/faults.js';

let db: TestDatabases;
let config: Config;
let pool: pg.Pool;
let dir: string;

before(async () => {
  db = await createTestDatabases('verify-differences');
  const client = new MongoClient(db.mongoUrl);
  await client.connect();
  try {
    await generateFixtures(client.db(db.mongoDb), {
      seed: 11, orgs: 2, envsPerOrg: 2, usersPerOrg: 2, workflowsPerEnv: 2, executionsPerEnv: 4, recordsPerScope: 1,
      aiSessionsPerOrg: 1, toolCallsPerSession: 1, paymentsPerOrg: 2, usageRecords: 150, auditEvents: 30, applicationAuditEvents: 20,
      events: 30, reportingData: 20, messiness: 0.3, orphans: true, edgeCases: true,
    });
  } finally {
    await client.close();
  }
  dir = workDir();
  config = testConfig(db, { convert_work_dir: dir, convert_skip_integrity_errors: 'true', convert_verify: 'false' }, FIXTURE_MASTER_PASSWORD);
  const run = await migrateInProcess(config);
  // Edge cases fail their records (exit 4); that is accounted for, not a difference.
  assert.equal((run.error as { code?: string } | undefined)?.code, 'MIGRATION_INCOMPLETE', String(run.error));
  pool = new pg.Pool({ connectionString: db.pgUrl, max: 2 });
});
after(async () => {
  await pool?.end();
  await db?.cleanup();
});

function dataSet(name: string): DataSet {
  const ds = [...recordDataSets(config), ...bulkDataSets(config)].find((d) => d.name === name);
  assert.ok(ds, `data set ${name} is registered`);
  return ds;
}

async function verifyOnly(names: string[], options: Parameters<typeof verifyInProcess>[1] = {}): Promise<VerificationReport> {
  return verifyInProcess(config, { dataSets: names.filter((n) => n !== 'execution_sequences').map(dataSet), sequences: names.includes('execution_sequences'), ...options });
}

function problems(report: VerificationReport): Problem[] {
  return [...report.dataSets.flatMap((d) => d.problems), ...report.tableProblems];
}

/** Applies `change`, runs `check`, and always undoes the change. */
async function altered(change: string, undo: string, check: () => Promise<void>): Promise<void> {
  await pool.query(change);
  try {
    await check();
  } finally {
    await pool.query(undo);
  }
}

test('the migrated fixtures verify clean: every data set accounted for, every table\'s digest equal', async () => {
  const report = await verifyInProcess(config);
  assert.deepEqual(problems(report), []);
  assert.ok(report.ok);
  for (const d of report.dataSets) {
    assert.equal(d.source, d.migrated + d.failed + d.skipped, `${d.name} accounting`);
    assert.equal(d.mode, d.name === 'execution_sequences' ? 'sequences' : 'full');
  }
  const byName = new Map(report.dataSets.map((d) => [d.name, d]));
  assert.ok((byName.get('audit_log_events')?.failed ?? 0) > 0, 'edge cases were reported as failed and accounted for');
  assert.ok(report.dataSets.some((d) => d.skipped > 0), 'orphans were skipped and accounted for');
  assert.deepEqual(byName.get('credentials')?.nonReproducible, [{ table: 'credentials', column: 'secret_envelope', check: 'equivalence' }]);
  for (const t of report.tables) {
    assert.equal(t.actualRows, t.expectedRows, `${t.table} rows`);
    assert.equal(t.actualDigest, t.expectedDigest, `${t.table} digest`);
  }
});

test('a missing row is named by id, and the accounting identity fails', async () => {
  const { rows } = await pool.query<{ mongo_id: string }>('SELECT mongo_id FROM usage_records ORDER BY mongo_id LIMIT 1');
  const id = rows[0]?.mongo_id as string;
  await pool.query('CREATE TABLE verify_saved AS SELECT * FROM usage_records WHERE mongo_id = $1', [id]);
  await altered(`DELETE FROM usage_records WHERE mongo_id = '${id}'`, 'INSERT INTO usage_records SELECT * FROM verify_saved; DROP TABLE verify_saved', async () => {
    const found = problems(await verifyOnly(['usage_records']));
    assert.deepEqual(found.map((p) => [p.kind, p.id ?? null]), [['missing', id], ['count', null]]);
    assert.match(found[0]?.message ?? '', new RegExp(`record ${id} \\(usage\\) is not in usage_records .* no error report names it`));
  });
});

test('a changed value is named with its column, the stored and the expected value, per PostgreSQL type', async () => {
  const { rows } = await pool.query<{ mongo_id: string; quantity: string }>("SELECT mongo_id, quantity::text FROM usage_records WHERE quantity::text LIKE '%.%' ORDER BY mongo_id LIMIT 1");
  const { mongo_id: id, quantity } = rows[0] as { mongo_id: string; quantity: string };
  // Same number, another scale: a faithful copy keeps the source's digits.
  await altered(`UPDATE usage_records SET quantity = quantity::numeric(30,8) WHERE mongo_id = '${id}'`, `UPDATE usage_records SET quantity = '${quantity}' WHERE mongo_id = '${id}'`, async () => {
    const [p, ...rest] = problems(await verifyOnly(['usage_records']));
    assert.deepEqual(rest, []);
    assert.deepEqual([p?.kind, p?.id, p?.table, p?.column, p?.expected], ['different', id, 'usage_records', 'quantity', quantity]);
    assert.match(p?.actual ?? '', /^\d+\.\d{8}$/);
  });
  await altered(`UPDATE usage_records SET recorded_at = recorded_at + interval '1 millisecond' WHERE mongo_id = '${id}'`, `UPDATE usage_records SET recorded_at = recorded_at - interval '1 millisecond' WHERE mongo_id = '${id}'`, async () => {
    const found = problems(await verifyOnly(['usage_records']));
    assert.deepEqual(found.map((p) => [p.id, p.column]), [[id, 'recorded_at']]);
  });
  const org = (await pool.query<{ id: string; plan: string | null }>('SELECT id, plan::text FROM organizations WHERE plan IS NOT NULL ORDER BY id LIMIT 1')).rows[0] as { id: string; plan: string };
  await altered(`UPDATE organizations SET plan = plan || '{"injected": true}' WHERE id = '${org.id}'`, `UPDATE organizations SET plan = '${org.plan.replaceAll("'", "''")}' WHERE id = '${org.id}'`, async () => {
    const found = problems(await verifyOnly(['organizations']));
    assert.deepEqual(found.map((p) => [p.dataSet, p.id, p.column]), [['organizations', org.id, 'plan']]);
    assert.match(found[0]?.actual ?? '', /"injected": true/);
  });
});

test('a row no source record produces is named by its key', async () => {
  await altered(
    "INSERT INTO events (mongo_id, organization_id, type, created_at) VALUES ('ffffffffffffffffffffffff', 'tkcorg_nobody', 'x', now())",
    "DELETE FROM events WHERE mongo_id = 'ffffffffffffffffffffffff'",
    async () => {
      const found = problems(await verifyOnly(['events']));
      assert.deepEqual(found.map((p) => [p.kind, p.table, p.key]), [['extra', 'events', '{ffffffffffffffffffffffff}']]);
    },
  );
});

test('a failed record whose stored failure is lost is a difference; a stale failure record is not', async () => {
  // Failures are accounted from mongo2pg.failed_records, the durable record the report file is rendered from.
  const lines = (await pool.query<{ id: string; skipped: boolean }>("SELECT record_id AS id, outcome = 'skipped' AS skipped FROM mongo2pg.failed_records WHERE data_set = 'audit_log_events' ORDER BY record_id")).rows;
  const failed = lines.find((l) => !l.skipped);
  assert.ok(failed, 'the fixtures fail an audit log event');
  await pool.query('CREATE TABLE verify_saved_failures AS SELECT * FROM mongo2pg.failed_records WHERE data_set = $1', ['audit_log_events']);
  try {
    await pool.query("DELETE FROM mongo2pg.failed_records WHERE data_set = 'audit_log_events' AND record_id = $1", [failed.id]);
    const found = problems(await verifyOnly(['audit_log_events']));
    assert.deepEqual(found.map((p) => [p.kind, p.id ?? null]), [['missing', failed.id], ['count', null]]);
    assert.match(found[0]?.message ?? '', /does not transform \(.+\) and no error report names it/);

    // A record naming a record that is in the target (a later run migrated it) changes nothing.
    await pool.query("DELETE FROM mongo2pg.failed_records WHERE data_set = 'audit_log_events'; INSERT INTO mongo2pg.failed_records SELECT * FROM verify_saved_failures");
    const migrated = (await pool.query<{ mongo_id: string }>('SELECT mongo_id FROM audit_log_events ORDER BY mongo_id LIMIT 1')).rows[0]?.mongo_id as string;
    await pool.query("INSERT INTO mongo2pg.failed_records (data_set, collection, record_id, outcome, code, error, context) VALUES ('audit_log_events', 'audit_log_events', $1, 'failed', 'SINK_WRITE', 'connection lost', '{\"collection\": \"audit_log_events\"}')", [migrated]);
    const report = await verifyOnly(['audit_log_events']);
    assert.deepEqual(problems(report), []);
    const before = lines.filter((l) => !l.skipped).length;
    assert.equal(report.dataSets[0]?.failed, before, 'the stale record is not counted as a failure');
  } finally {
    await pool.query("DELETE FROM mongo2pg.failed_records WHERE data_set = 'audit_log_events'; INSERT INTO mongo2pg.failed_records SELECT * FROM verify_saved_failures; DROP TABLE verify_saved_failures");
  }
});

test('child rows of executions and the sequences computed per scope are compared too', async () => {
  const sig = (await pool.query<{ id: string; name: string }>('SELECT id::text, name FROM test_workflow_signatures WHERE name IS NOT NULL ORDER BY id LIMIT 1')).rows[0] as { id: string; name: string };
  await altered(`UPDATE test_workflow_signatures SET name = 'tampered' WHERE id = '${sig.id}'`, `UPDATE test_workflow_signatures SET name = '${sig.name.replaceAll("'", "''")}' WHERE id = '${sig.id}'`, async () => {
    const found = problems(await verifyOnly(['test_workflow_executions']));
    assert.deepEqual(found.map((p) => [p.kind, p.table, p.column, p.actual, p.expected]), [['different', 'test_workflow_signatures', 'name', 'tampered', sig.name]]);
    assert.ok(found[0]?.id, 'the execution is named');
  });
  await pool.query('CREATE TABLE verify_saved_report AS SELECT * FROM test_workflow_reports ORDER BY id LIMIT 1');
  await altered('DELETE FROM test_workflow_reports WHERE id = (SELECT id FROM verify_saved_report)', 'INSERT INTO test_workflow_reports SELECT * FROM verify_saved_report; DROP TABLE verify_saved_report', async () => {
    const found = problems(await verifyOnly(['test_workflow_executions']));
    assert.deepEqual(found.map((p) => [p.kind, p.table]), [['missing', 'test_workflow_reports'], ['count', 'test_workflow_reports']]);
  });

  const seq = (await pool.query<{ name: string; number: number }>('SELECT name, number FROM execution_sequences ORDER BY name LIMIT 1')).rows[0] as { name: string; number: number };
  await altered(`UPDATE execution_sequences SET number = number + 1 WHERE name = '${seq.name}'`, `UPDATE execution_sequences SET number = number - 1 WHERE name = '${seq.name}'`, async () => {
    const found = problems(await verifyOnly(['execution_sequences']));
    assert.ok(found.length >= 1);
    assert.deepEqual([found[0]?.kind, found[0]?.column, found[0]?.actual, found[0]?.expected], ['different', 'number', String(seq.number + 1), String(seq.number)]);
  });
});

test('credential envelopes, re-encrypted at random, are compared by what they decrypt to', async () => {
  const ids = (await pool.query<{ id: string }>('SELECT id FROM credentials ORDER BY id LIMIT 2')).rows.map((r) => r.id);
  const [a, b] = ids as [string, string];
  const swap = `UPDATE credentials c SET secret_envelope = o.secret_envelope FROM (SELECT id, secret_envelope FROM credentials WHERE id IN ('${a}', '${b}')) o WHERE c.id IN ('${a}', '${b}') AND o.id <> c.id`;
  await altered(swap, swap, async () => {
    const found = problems(await verifyOnly(['credentials']));
    assert.deepEqual(found.map((p) => [p.id, p.column]).sort(), [[a, 'secret_envelope'], [b, 'secret_envelope']]);
    assert.match(found[0]?.message ?? '', /does not decrypt for row/);
  });
});

test('above the full-comparison limit: counts against the table and a spread sample', async () => {
  const options = { verify: { fullLimit: 10, sampleSize: 40, seed: 7 } };
  const clean = await verifyOnly(['usage_records'], options);
  assert.deepEqual(problems(clean), []);
  const usage = clean.dataSets[0];
  assert.equal(usage?.mode, 'sample');
  assert.ok((usage?.compared ?? 0) >= 25 && (usage?.compared ?? 0) <= 60, `a sample was compared (${usage?.compared})`);
  assert.equal(usage?.source, (usage?.migrated ?? 0) + (usage?.failed ?? 0) + (usage?.skipped ?? 0));

  const id = (await pool.query<{ mongo_id: string }>('SELECT mongo_id FROM usage_records ORDER BY mongo_id DESC LIMIT 1')).rows[0]?.mongo_id as string;
  await pool.query('CREATE TABLE verify_saved AS SELECT * FROM usage_records WHERE mongo_id = $1', [id]);
  await altered(`DELETE FROM usage_records WHERE mongo_id = '${id}'`, 'INSERT INTO usage_records SELECT * FROM verify_saved; DROP TABLE verify_saved', async () => {
    const report = await verifyOnly(['usage_records'], { verify: { fullLimit: 10, sampleSize: 1, seed: 7 } });
    assert.deepEqual(report.tableProblems.map((p) => [p.kind, p.table]), [['count', 'usage_records']]);
    assert.match(report.tableProblems[0]?.message ?? '', /1 row\(s\) missing/);
  });
  await altered("UPDATE usage_records SET metric = metric || '!'", "UPDATE usage_records SET metric = rtrim(metric, '!')", async () => {
    const found = problems(await verifyOnly(['usage_records'], options));
    assert.ok(found.length > 0 && found.every((p) => p.kind === 'different' && p.column === 'metric'), 'every sampled row differs');
  });
});

test('a source read broken off during verification (a restart) is verified again, not a crash', async () => {
  const client = new MongoClient(db.mongoUrl);
  await client.connect();
  try {
    // The first read of any collection fails as a connection the server closed would.
    const flaky = breakFirstRead(client.db(db.mongoDb), (_, method) => ['find', 'countDocuments', 'estimatedDocumentCount'].includes(method));
    const warnings: string[] = [];
    const logger = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
    logger.on('data', (info: { level: string; message: string }) => void (info.level === 'warn' && warnings.push(info.message)));
    const report = await verifyStep({ config, db: flaky.source as unknown as SourceDb, pool, logger, signal: new AbortController().signal, print: () => undefined });
    assert.equal(flaky.broken(), 1);
    assert.ok(report.ok);
    assert.deepEqual(warnings, ['verification interrupted by a connection error; verifying again from the start']);
  } finally {
    await client.close();
  }
});
