// Issue 17: pre-copy (`migrate` while the application runs), changes in the source (inserts,
// updates, deletes, a credential with a new secret, an organisation removed with its children),
// then `catch-up`: the target equals a clean full migration of the final source by table digest
// (credential envelopes compared by what they decrypt to: verification), and verifies. A dry run
// before it counts exactly what the real run then does and writes nothing. A target the
// application has written to is refused (exit 3) and left as it was.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Config } from '../../app/config/load.js';
import { ExitCode, isMongo2pgError } from '../../app/errors.js';
import { FIXTURE_MASTER_PASSWORD } from '../fixtures/options.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { writeReach } from '../../app/catchup/ownership.js';
import { BROKEN_USER, addBrokenUser, catchUpInProcess, changeSource, everyTableDigest, withSource, type SourceChanges } from '../helpers/catchup.js';
import { contentDigests, migrateInProcess, testConfig, verifyInProcess, workDir } from '../helpers/faults.js';
import { generate } from '../faults/trials.js';

/** Record-level data only: every bulk collection empty. */
const FIXTURES = {
  seed: 1717, orgs: 3, envsPerOrg: 2, usersPerOrg: 4, agentsPerOrg: 1, workflowsPerEnv: 2, executionsPerEnv: 0, recordsPerScope: 2,
  aiSessionsPerOrg: 2, toolCallsPerSession: 2, paymentsPerOrg: 2, usageRecords: 0, auditEvents: 0, applicationAuditEvents: 0,
  events: 0, reportingData: 0, messiness: 0.2, orphans: false, edgeCases: false,
};

let source: TestDatabases;
let target: TestDatabases;
let reference: TestDatabases;
let changes: SourceChanges;

function configFor(db: TestDatabases, flags: Record<string, string> = {}): Config {
  return testConfig({ pgUrl: db.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, { convert_work_dir: workDir(), convert_batch_size: '7', ...flags }, FIXTURE_MASTER_PASSWORD);
}

async function envelope(pgUrl: string, id: string): Promise<string | null> {
  const pool = new pg.Pool({ connectionString: pgUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ e: string | null }>('SELECT encode(secret_envelope, \'hex\') AS e FROM credentials WHERE id = $1', [id]);
    return rows[0]?.e ?? null;
  } finally {
    await pool.end();
  }
}

async function failedRecords(pgUrl: string): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: pgUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ id: string }>('SELECT record_id AS id FROM mongo2pg.failed_records ORDER BY 1');
    return rows.map((r) => r.id);
  } finally {
    await pool.end();
  }
}

before(async () => {
  source = await createTestDatabases('catchup-source');
  target = await createTestDatabases('catchup-target');
  reference = await createTestDatabases('catchup-reference');
  await generate(source, FIXTURES);
  // Without executions, only the sequence documents are bulk data: dropped, so every bulk data set is empty.
  await withSource(source, async (db) => {
    for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) if (c.name.startsWith('sequences_')) await db.collection(c.name).drop();
  });
  await withSource(source, addBrokenUser);
  const pre = await migrateInProcess(configFor(target));
  // One user cannot be migrated (reported, exit 4): the pre-copy still ran to the end.
  assert.ok(isMongo2pgError(pre.error) && pre.error.code === 'MIGRATION_INCOMPLETE', `the pre-copy runs to the end: ${String(pre.error)}`);
  assert.deepEqual(await failedRecords(target.pgUrl), [BROKEN_USER.toHexString()]);
  changes = await withSource(source, changeSource);
});

after(async () => {
  await Promise.allSettled([source?.cleanup(), target?.cleanup(), reference?.cleanup()]);
});

test('catch-up: dry run counts, real run does exactly that, target equals a clean migration of the final source and verifies', async () => {
  const keptBefore = await envelope(target.pgUrl, changes.keptCredential);
  const changedBefore = await envelope(target.pgUrl, changes.changedCredential);
  assert.ok(keptBefore && changedBefore);

  // Dry run: counts, writes nothing (every table of the target, mongo2pg's own included).
  const untouched = await everyTableDigest(target.pgUrl);
  const dry = await catchUpInProcess(configFor(target, { convert_dry_run: 'true' }));
  assert.equal(dry.error, undefined, String(dry.error));
  assert.deepEqual(await everyTableDigest(target.pgUrl), untouched, 'the dry run wrote nothing');
  const would = dry.result?.counts;
  assert.ok(would);

  const real = await catchUpInProcess(configFor(target));
  assert.equal(real.error, undefined, `catch-up succeeds: ${isMongo2pgError(real.error) ? real.error.message : String(real.error)}`);
  const did = real.result?.counts;
  assert.ok(did);
  assert.deepEqual(Object.fromEntries(did), Object.fromEntries(would), 'the dry run counted what the real run did');

  // What changed was found as what it is.
  assert.equal(did.get('users')?.inserted, 2, 'the new user, and the one the pre-copy could not migrate');
  assert.deepEqual(await failedRecords(target.pgUrl), [], 'its failure record is gone');
  assert.ok((did.get('users')?.updated ?? 0) >= 1);
  assert.ok((did.get('users')?.deleted ?? 0) >= 1);
  assert.equal(did.get('organizations')?.deleted, 1);
  assert.ok((did.get('environments')?.deleted ?? 0) >= 1, 'the removed organisation\'s environments');
  assert.equal(did.get('credentials')?.updated, 1, 'only the credential with a new secret');
  assert.ok((did.get('credentials')?.deleted ?? 0) >= 1, 'the removed organisation\'s credentials');
  assert.ok((did.get('payments_history')?.inserted ?? 0) >= 1);
  assert.ok((did.get('credentials')?.unchanged ?? 0) >= 1);
  for (const [name, c] of did) assert.equal(c.failed + c.skipped, 0, `${name}: nothing failed`);

  // Credentials: the unchanged secret keeps its envelope, the changed one is re-encrypted.
  assert.equal(await envelope(target.pgUrl, changes.keptCredential), keptBefore);
  assert.notEqual(await envelope(target.pgUrl, changes.changedCredential), changedBefore);

  // Equal to a clean full migration of the final source, and verified.
  const clean = await migrateInProcess(configFor(reference));
  assert.equal(clean.error, undefined, String(clean.error));
  const config = configFor(target);
  assert.deepEqual(await contentDigests(target.pgUrl, config), await contentDigests(reference.pgUrl, config));
  const report = await verifyInProcess(config);
  assert.ok(report.ok, JSON.stringify(report.dataSets.flatMap((d) => d.problems).slice(0, 5)));

  // A second catch-up finds nothing to change.
  const again = await catchUpInProcess(configFor(target));
  assert.equal(again.error, undefined, String(again.error));
  for (const [name, c] of again.result?.counts ?? []) assert.equal(c.inserted + c.updated + c.deleted, 0, `${name}: nothing left to change`);
});

async function applicationWrites(pgUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: pgUrl, max: 1 });
  try {
    // The application, already on PostgreSQL, renames a user.
    await pool.query(`UPDATE users SET name = 'Written By The Application' WHERE id = (SELECT min(id) FROM users)`);
  } finally {
    await pool.end();
  }
}

test('catch-up refuses a pre-copied target the application has written to (exit 3) and changes nothing', async () => {
  const written = await createTestDatabases('catchup-written');
  try {
    const pre = await migrateInProcess(configFor(written));
    assert.equal(pre.error, undefined, String(pre.error));
    // A wrong master password is refused up front (else every credential would fail and lose its row).
    const untouched = await everyTableDigest(written.pgUrl);
    const wrong = await catchUpInProcess(testConfig({ pgUrl: written.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, { convert_work_dir: workDir() }, 'a-wrong-master-password-0123456789-abcdef'));
    assert.ok(isMongo2pgError(wrong.error), String(wrong.error));
    assert.equal(wrong.error.exitCode, ExitCode.preflightFailed);
    assert.match(wrong.error.message, /master-password/);
    assert.deepEqual(await everyTableDigest(written.pgUrl), untouched);
    await applicationWrites(written.pgUrl);
    const before = await everyTableDigest(written.pgUrl);
    const r = await catchUpInProcess(configFor(written));
    assert.ok(isMongo2pgError(r.error), String(r.error));
    assert.equal(r.error.exitCode, ExitCode.preflightFailed);
    assert.match(r.error.message, /users .*application seems to already run on PostgreSQL/);
    assert.deepEqual(await everyTableDigest(written.pgUrl), before, 'nothing changed');
  } finally {
    await written.cleanup();
  }
});

test('after a completed catch-up the application writes: a catch-up again (the hook left on) succeeds, says so and changes nothing', async () => {
  await applicationWrites(target.pgUrl);
  const before = await everyTableDigest(target.pgUrl);
  const r = await catchUpInProcess(configFor(target));
  assert.equal(r.error, undefined, String(r.error));
  assert.ok(r.result?.alreadyCompleted, 'reported as already completed');
  assert.deepEqual(await everyTableDigest(target.pgUrl), before, 'nothing changed');
});

test('catch-up refuses a target without a completed pre-copy', async () => {
  const empty = await createTestDatabases('catchup-empty');
  try {
    const e = await catchUpInProcess(configFor(empty));
    assert.ok(isMongo2pgError(e.error));
    assert.equal(e.error.exitCode, ExitCode.preflightFailed);
    assert.match(e.error.message, /needs a pre-copy/);
    // A finished migration with no record of what it wrote (an older build): refused, with what to do.
    const pool = new pg.Pool({ connectionString: reference.pgUrl, max: 1 });
    await pool.query('DROP TABLE mongo2pg.table_digests').finally(() => pool.end());
    const old = await catchUpInProcess(configFor(reference));
    assert.ok(isMongo2pgError(old.error));
    assert.equal(old.error.exitCode, ExitCode.preflightFailed);
    assert.match(old.error.message, /no record of what it wrote/);
  } finally {
    await empty.cleanup();
  }
});

test('a write to a table marks what its triggers and cascading foreign keys can change (Testkube schema)', async () => {
  const pool = new pg.Pool({ connectionString: target.pgUrl, max: 1 });
  try {
    const reach = await writeReach(pool, ['test_workflows']);
    assert.ok(reach.includes('test_workflow_executions'), `trigger sync_execution_workflow_name: ${reach.join(', ')}`);
    const fromExecutions = await writeReach(pool, ['test_workflow_executions']);
    assert.ok(fromExecutions.includes('test_workflow_results'), `ON DELETE CASCADE: ${fromExecutions.join(', ')}`);
    const fromOrgs = await writeReach(pool, ['organizations']);
    assert.ok(fromOrgs.includes('organization_members') && fromOrgs.includes('environments'), fromOrgs.join(', '));
  } finally {
    await pool.end();
  }
});
