// After the load, an application insert gets a fresh id from every serial/identity column: rows
// arrive with their ids set (COPY, INSERT with explicit values), which leaves the sequences at
// their start unless the run moves them past the largest id (app/run/post-load.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import winston from 'winston';
import { resetSequences } from '../../app/run/post-load.js';
import { FIXTURE_MASTER_PASSWORD, generateFixtures } from '../fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { migrateInProcess, testConfig, workDir } from '../helpers/faults.js';

let db: TestDatabases;
let pool: pg.Pool;

before(async () => {
  db = await createTestDatabases('verify-sequences-reset');
  const client = new MongoClient(db.mongoUrl);
  await client.connect();
  try {
    await generateFixtures(client.db(db.mongoDb), { seed: 2, orgs: 1, envsPerOrg: 1, usersPerOrg: 1, usageRecords: 20, auditEvents: 5, applicationAuditEvents: 5, events: 5, reportingData: 5, executionsPerEnv: 2, messiness: 0 });
  } finally {
    await client.close();
  }
  pool = new pg.Pool({ connectionString: db.pgUrl, max: 2 });
});
after(async () => {
  await pool?.end();
  await db?.cleanup();
});

/** Every column a sequence feeds (serial, bigserial, identity), found the way resetSequences finds them. */
async function sequenceColumns(): Promise<Array<{ schema: string; table: string; column: string; identity: boolean }>> {
  const { rows } = await pool.query<{ schema: string; table: string; column: string; identity: boolean }>(`
    SELECT tn.nspname AS schema, t.relname AS table, a.attname AS column, a.attidentity <> '' AS identity
      FROM pg_class s
      JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
      JOIN pg_class t ON t.oid = d.refobjid
      JOIN pg_namespace tn ON tn.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE s.relkind = 'S' AND tn.nspname NOT IN ('pg_catalog', 'information_schema')
     ORDER BY 1, 2, 3`);
  return rows;
}

const ident = (name: string): string => pg.escapeIdentifier(name);

/**
 * Inserts a copy of the table's newest row with every sequence-fed column left to its default (in
 * a transaction that is rolled back); per such column, the id the new row got and the largest
 * id before.
 */
async function insertWithDefaultIds(schema: string, tableName: string, fed: readonly string[]): Promise<Array<{ column: string; before: bigint; got: bigint }>> {
  const client = await pool.connect();
  const table = `${ident(schema)}.${ident(tableName)}`;
  try {
    await client.query('BEGIN');
    const max = (await client.query<Record<string, string | null>>(`SELECT ${fed.map((c, i) => `max(${ident(c)})::text AS m${i}`).join(', ')} FROM ${table}`)).rows[0] ?? {};
    const cols = (await client.query<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped AND NOT (attname = ANY($2)) AND attgenerated = ''`,
      [table, fed],
    )).rows.map((r) => ident(r.name));
    const returning = fed.map((c, i) => `${ident(c)}::text AS r${i}`).join(', ');
    const sql = cols.length > 0 && max.m0 !== null
      ? `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${table} ORDER BY ${ident(fed[0] as string)} DESC LIMIT 1 RETURNING ${returning}`
      : `INSERT INTO ${table} DEFAULT VALUES RETURNING ${returning}`;
    const got = (await client.query<Record<string, string>>(sql)).rows[0] ?? {};
    return fed.map((column, i) => ({ column, before: BigInt(max[`m${i}`] ?? '0'), got: BigInt(got[`r${i}`] ?? '0') }));
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

async function checkEveryTable(only?: string): Promise<number> {
  const byTable = new Map<string, { schema: string; table: string; columns: string[] }>();
  for (const c of await sequenceColumns()) {
    if (only !== undefined && c.table !== only) continue;
    const key = `${c.schema}.${c.table}`;
    const entry = byTable.get(key) ?? { schema: c.schema, table: c.table, columns: [] };
    entry.columns.push(c.column);
    byTable.set(key, entry);
  }
  let checked = 0;
  for (const t of byTable.values()) {
    for (const { column, before: max, got } of await insertWithDefaultIds(t.schema, t.table, t.columns)) {
      assert.ok(got > max, `${t.table}.${column}: a new row got ${got}, the largest loaded id is ${max}`);
      checked++;
    }
  }
  return checked;
}

test('after a migration, every serial/identity column of the target gives an insert a fresh id', async () => {
  const config = testConfig(db, { convert_work_dir: workDir() }, FIXTURE_MASTER_PASSWORD);
  const run = await migrateInProcess(config);
  assert.equal(run.error, undefined, String(run.error));
  assert.ok((await sequenceColumns()).some((c) => c.table === 'goose_db_version'), 'the schema has sequence-fed columns (at least Goose\'s own)');
  assert.ok((await checkEveryTable()) > 0);
});

test('rows loaded with explicit ids: without the reset an insert collides, after it gets max + 1', async () => {
  await pool.query(`CREATE TABLE "Loaded Explicitly" (
    id serial PRIMARY KEY,
    big bigserial UNIQUE,
    ident bigint GENERATED BY DEFAULT AS IDENTITY UNIQUE,
    note text)`);
  // What COPY and INSERT with explicit values do: the sequences are never consulted.
  await pool.query(`INSERT INTO "Loaded Explicitly" (id, big, ident, note) VALUES (1, 5000000000, 7, 'a'), (40, 5000000001, 41, 'b')`);
  await assert.rejects(
    pool.query('INSERT INTO "Loaded Explicitly" (note) VALUES (\'collides\')'),
    (err: unknown) => (err as { code?: string }).code === '23505',
    'before the reset, the next default id is one that was loaded',
  );
  await resetSequences(pool, winston.createLogger({ silent: true }));
  const { rows } = await pool.query<{ id: number; big: string; ident: string }>('INSERT INTO "Loaded Explicitly" (note) VALUES (\'fresh\') RETURNING id, big::text, ident::text');
  assert.deepEqual(rows[0], { id: 41, big: '5000000002', ident: '42' });
  assert.equal(await checkEveryTable('Loaded Explicitly'), 3);
});
