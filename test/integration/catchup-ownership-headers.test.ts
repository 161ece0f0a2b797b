// Issue 17: the ownership check at the start of a catch-up proves a table unchanged from its row
// headers (the recorded row count, and no row version numbered at or above the horizon recorded
// with its digest) instead of digesting every value, and lets the digest decide whenever the
// headers cannot prove it. Checked against a real server:
//   - right after a quiet pre-copy every table is proved by its headers alone;
//   - a write that changes nothing (UPDATE to the same values) leaves a new row version: that table
//     is digested, found equal, and the check passes; a write that changes a value is refused, and
//     passes again once the value is put back;
//   - digests recorded without a horizon (an earlier build) are all digested, and the catch-up
//     records the horizon of those reads, so the next check reads no table;
//   - a pre-copy that ended while a transaction was writing in another database of the server
//     records a horizon past it (it cannot write these tables): every table proved by headers;
//   - a pre-copy that ended while a transaction was writing in the same database records a
//     horizon no later than that transaction, so the pre-copy's own rows are not taken as
//     proof-by-headers: those tables are digested, found equal, and the check passes (and,
//     after a catch-up recorded newer horizons, the next check reads none).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { checkOwnership } from '../../app/catchup/ownership.js';
import { PreflightError } from '../../app/errors.js';
import { FIXTURE_MASTER_PASSWORD } from '../fixtures/options.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { catchUpInProcess } from '../helpers/catchup.js';
import { migrateInProcess, silentLogger, testConfig, workDir } from '../helpers/faults.js';
import { generate } from '../faults/trials.js';

const FIXTURES = {
  seed: 4242, orgs: 2, envsPerOrg: 1, usersPerOrg: 3, agentsPerOrg: 1, workflowsPerEnv: 1, executionsPerEnv: 2, recordsPerScope: 1,
  aiSessionsPerOrg: 1, toolCallsPerSession: 1, paymentsPerOrg: 1, usageRecords: 50, auditEvents: 10, applicationAuditEvents: 10,
  events: 10, reportingData: 10, messiness: 0, orphans: false, edgeCases: false,
};

let source: TestDatabases;
let quiet: TestDatabases;
let busy: TestDatabases;
let elsewhere: TestDatabases;
const pools: pg.Pool[] = [];

const configOf = (db: TestDatabases) => testConfig({ pgUrl: db.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb }, { convert_work_dir: workDir() }, FIXTURE_MASTER_PASSWORD);
const poolOf = (db: TestDatabases): pg.Pool => {
  const pool = new pg.Pool({ connectionString: db.pgUrl, max: 2 });
  pools.push(pool);
  return pool;
};
const nonEmptyTables = async (pool: pg.Pool): Promise<number> => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM mongo2pg.table_digests WHERE rows > 0')).rows[0]?.n);
const recordedTables = async (pool: pg.Pool): Promise<number> => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM mongo2pg.table_digests')).rows[0]?.n);

before(async () => {
  source = await createTestDatabases('catchup-headers-source');
  quiet = await createTestDatabases('catchup-headers-quiet');
  busy = await createTestDatabases('catchup-headers-busy');
  elsewhere = await createTestDatabases('catchup-headers-elsewhere');
  await generate(source, FIXTURES);
  const pre = await migrateInProcess(configOf(quiet));
  assert.equal(pre.error, undefined, String(pre.error));
});

after(async () => {
  await Promise.allSettled(pools.map((p) => p.end()));
  await Promise.allSettled([source?.cleanup(), quiet?.cleanup(), busy?.cleanup(), elsewhere?.cleanup()]);
});

test('after a quiet pre-copy every table is proved unchanged by its row headers alone', async () => {
  const pool = poolOf(quiet);
  const owned = await checkOwnership(pool, silentLogger());
  assert.equal(owned.checked, await recordedTables(pool));
  assert.ok(owned.checked > 20, `${owned.checked} tables checked`);
  assert.equal(owned.byHeaders, owned.checked, 'no table digested');
});

test('a new row version sends its table to the digest: the same values pass, a changed value is refused until put back', async () => {
  const pool = poolOf(quiet);
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM users ORDER BY id LIMIT 1');
  const id = rows[0]?.id;
  assert.ok(id, 'the pre-copy wrote users');
  await pool.query('UPDATE users SET name = name WHERE id = $1', [id]);
  const same = await checkOwnership(pool, silentLogger());
  assert.equal(same.byHeaders, same.checked - 1, 'users digested, every other table by headers');

  await pool.query("UPDATE users SET name = coalesce(name, '') || ' (edited in PostgreSQL)' WHERE id = $1", [id]);
  await assert.rejects(checkOwnership(pool, silentLogger()), (err: unknown) => err instanceof PreflightError && /users \(\d+ rows recorded at .*contents differ\)/.test(err.message));

  await pool.query("UPDATE users SET name = nullif(left(name, -length(' (edited in PostgreSQL)')), '') WHERE id = $1", [id]);
  const back = await checkOwnership(pool, silentLogger());
  assert.equal(back.byHeaders, back.checked - 1);
});

test('digests recorded without a horizon (an earlier build) are all read; the next catch-up records horizons', async () => {
  const pool = poolOf(quiet);
  await pool.query('ALTER TABLE mongo2pg.table_digests DROP COLUMN horizon');
  const owned = await checkOwnership(pool, silentLogger());
  assert.equal(owned.byHeaders, 0, 'no horizon: every table digested');
  assert.ok(owned.checked > 20);
  const run = await catchUpInProcess(configOf(quiet));
  assert.equal(run.error, undefined, String(run.error));
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM mongo2pg.table_digests WHERE horizon IS NULL');
  assert.equal(Number(rows[0]?.n), 0, 'the catch-up recorded a horizon for every table');
  const next = await checkOwnership(pool, silentLogger());
  assert.equal(next.byHeaders, next.checked, 'the next check reads no table');
});

/** Runs a pre-copy of `db` while a transaction holding a transaction id is open in `database` of the same server; returns that id. */
async function preCopyWhileWriting(db: TestDatabases, database: string): Promise<bigint> {
  const url = new URL(db.pgUrl);
  url.pathname = `/${database}`;
  const writer = new pg.Client({ connectionString: url.toString() });
  await writer.connect();
  try {
    await writer.query('BEGIN');
    await writer.query('CREATE TEMP TABLE writing_meanwhile (x int)');
    await writer.query('INSERT INTO writing_meanwhile VALUES (1)');
    const xid = BigInt((await writer.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]?.x ?? '0');
    const pre = await migrateInProcess(configOf(db));
    assert.equal(pre.error, undefined, String(pre.error));
    return xid;
  } finally {
    await writer.query('COMMIT').catch(() => undefined);
    await writer.end();
  }
}

test('a transaction writing in another database of the server when the pre-copy ends is passed over: every table proved by its headers', async () => {
  const xid = await preCopyWhileWriting(elsewhere, 'postgres');
  const pool = poolOf(elsewhere);
  const { rows } = await pool.query<{ h: string }>('SELECT min(horizon)::text AS h FROM mongo2pg.table_digests');
  assert.ok(BigInt(rows[0]?.h ?? '0') > xid, `horizon ${rows[0]?.h} is past the other database's transaction ${xid}`);
  const owned = await checkOwnership(pool, silentLogger());
  assert.equal(owned.byHeaders, owned.checked);
});

test('a transaction writing in the same database when the pre-copy ends: its tables are digested, and pass', async () => {
  const xid = await preCopyWhileWriting(busy, new URL(busy.pgUrl).pathname.slice(1));
  const pool = poolOf(busy);
  const { rows } = await pool.query<{ h: string }>('SELECT max(horizon)::text AS h FROM mongo2pg.table_digests');
  assert.ok(BigInt(rows[0]?.h ?? '0') <= xid, `horizon ${rows[0]?.h} is no later than the open transaction ${xid}`);
  const owned = await checkOwnership(pool, silentLogger());
  const written = await nonEmptyTables(pool);
  assert.ok(written > 10);
  assert.equal(owned.checked - owned.byHeaders, written, 'every table holding pre-copy rows digested (empty ones proved by headers)');
  // A catch-up records the horizon of those reads: the next check needs none.
  const run = await catchUpInProcess(configOf(busy));
  assert.equal(run.error, undefined, String(run.error));
  const next = await checkOwnership(pool, silentLogger());
  assert.equal(next.byHeaders, next.checked);
});
