import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import winston from 'winston';
import { SinkError } from '../../app/errors.js';
import { appliedVersions, loadMigrations, migrateSchema } from '../../app/schema-migrations/migrator.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';

const logger = winston.createLogger({ silent: true });
let db: TestDatabases;
let pool: pg.Pool;

before(async () => {
  db = await createTestDatabases('schema-migrations');
  pool = new pg.Pool({ connectionString: db.pgUrl });
});
after(async () => {
  await pool.end();
  await db.cleanup();
});

/** Tables, columns, indexes, constraints and triggers: what a schema diff would show. */
async function schemaShape(p: pg.Pool): Promise<string> {
  const { rows } = await p.query(`
    SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS item
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'idx ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'trg ' || tgname FROM pg_trigger WHERE NOT tgisinternal
    ORDER BY 1`);
  return rows.map((r: { item: string }) => r.item).join('\n');
}

test('applies every migration once and records each in Goose\'s version table', async () => {
  const first = await migrateSchema(pool, SCHEMA_DIR, logger);
  const files = loadMigrations(SCHEMA_DIR);
  assert.deepEqual(first.applied, files.map((m) => m.name));
  const versions = await appliedVersions(pool);
  assert.deepEqual([...versions].sort(), files.map((m) => m.version).sort());
  const { rows } = await pool.query('SELECT version_id::text, is_applied FROM goose_db_version ORDER BY id');
  assert.deepEqual(rows[0], { version_id: '0', is_applied: true }, 'Goose seeds its table with version 0');
  assert.equal(rows.length, files.length + 1);
});

test('running again changes nothing', async () => {
  const before = await schemaShape(pool);
  const rowsBefore = (await pool.query('SELECT count(*)::int AS n FROM goose_db_version')).rows[0].n as number;
  const second = await migrateSchema(pool, SCHEMA_DIR, logger);
  assert.deepEqual(second.applied, []);
  assert.equal(await schemaShape(pool), before);
  assert.equal((await pool.query('SELECT count(*)::int AS n FROM goose_db_version')).rows[0].n, rowsBefore);
});

test('a database migrated by a newer release is refused', async () => {
  await pool.query('INSERT INTO goose_db_version (version_id, is_applied) VALUES (99991231235959, true)');
  try {
    await assert.rejects(migrateSchema(pool, SCHEMA_DIR, logger), (err: unknown) => err instanceof SinkError && err.code === 'SCHEMA_MIGRATION' && /99991231235959/.test(err.message));
  } finally {
    await pool.query('DELETE FROM goose_db_version WHERE version_id = 99991231235959');
  }
});

test('a failing migration rolls back entirely and is not recorded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mongo2pg-schema-'));
  writeFileSync(join(dir, '00001_ok.sql'), '-- +goose Up\nCREATE TABLE probe_ok (id int);\n-- +goose Down\nDROP TABLE probe_ok;\n');
  writeFileSync(join(dir, '00002_broken.sql'), '-- +goose Up\nCREATE TABLE probe_half (id int);\nSELECT * FROM no_such_table;\n-- +goose Down\nSELECT 1;\n');
  const scratch = await createTestDatabases('schema-migrations-broken');
  const p = new pg.Pool({ connectionString: scratch.pgUrl });
  try {
    await assert.rejects(migrateSchema(p, dir, logger), /00002_broken/);
    const { rows } = await p.query("SELECT to_regclass('probe_ok') IS NOT NULL AS ok, to_regclass('probe_half') IS NOT NULL AS half");
    assert.deepEqual(rows[0], { ok: true, half: false });
    assert.deepEqual([...(await appliedVersions(p))], [1n]);
  } finally {
    await p.end();
    await scratch.cleanup();
  }
});
