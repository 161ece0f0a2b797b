import { test } from 'node:test';
import assert from 'node:assert/strict';
import { masterPasswordVerdict, checkMasterPasswordLength, decryptSample } from '../../app/preflight/master-password.js';
import { permissionsVerdict, type PrivilegeFacts } from '../../app/preflight/permissions.js';
import { collectionsVerdict } from '../../app/preflight/source-collections.js';
import { targetEmptyVerdict } from '../../app/preflight/target-empty.js';
import { displayTableName, normalizeTableName, tablesFromSchema, tablesWritten } from '../../app/preflight/written-tables.js';
import { encryptSourceSecret, sourceSecretFields } from '../../app/credentials/source-format.js';
import { parseGooseFile } from '../../app/schema-migrations/goose-file.js';

test('table names are folded and quoted the way PostgreSQL resolves them', () => {
  assert.equal(normalizeTableName('Organizations'), '"organizations"');
  assert.equal(normalizeTableName('mongo2pg.bulk_progress'), '"mongo2pg"."bulk_progress"');
  assert.equal(normalizeTableName('"MixedCase"."x.y"'), '"MixedCase"."x.y"');
  assert.equal(displayTableName('"mongo2pg"."bulk_progress"'), 'mongo2pg.bulk_progress');
});

test('the schema files tell which tables are created, dropped again, and seeded', () => {
  const m = parseGooseFile('00001_x.sql', [
    '-- +goose Up',
    'CREATE TABLE organizations (id text);',
    '-- a comment before the statement',
    'CREATE UNLOGGED TABLE IF NOT EXISTS Scratch (id text);',
    'CREATE TABLE plans (id text);',
    "INSERT INTO plans VALUES ('free');",
    'CREATE TABLE gone (id text);',
    'DROP TABLE gone;',
    'CREATE INDEX organizations_x ON organizations (id);',
    '-- +goose Down',
    'CREATE TABLE only_in_down (id text);',
  ].join('\n'));
  assert.deepEqual(tablesFromSchema([m]), { created: ['"organizations"', '"scratch"', '"plans"'], seeded: ['"plans"'] });
  const tables = tablesWritten([{ tables: [{ table: 'usage_records', columns: [], conflictKey: [] }] }], [m], ['mongo2pg.bulk_progress']);
  assert.deepEqual(tables, ['"mongo2pg"."bulk_progress"', '"organizations"', '"scratch"', '"usage_records"']);
});

test('target-empty: empty passes; rows fail unless resuming or dry-running', () => {
  const rows = [{ table: 'organizations', rows: 1 }, { table: 'usage_records', rows: 1001 }];
  assert.equal(targetEmptyVerdict([], 10, { skipExisting: false, dryRun: false }).status, 'pass');
  const refused = targetEmptyVerdict(rows, 10, { skipExisting: false, dryRun: false });
  assert.equal(refused.status, 'fail');
  assert.match(refused.message, /not empty: organizations \(1 row\), usage_records \(more than 1000 rows\)\. .*CONVERT_SKIP_EXISTING=true/);
  assert.equal(targetEmptyVerdict(rows, 10, { skipExisting: true, dryRun: false }).status, 'warn');
  assert.equal(targetEmptyVerdict(rows, 10, { skipExisting: false, dryRun: true }).status, 'warn');
});

const facts: PrivilegeFacts = {
  user: 'app', database: 'target', superuser: false, schema: 'public', createInSchema: true, createInDatabase: true,
  ownSchemaExists: false, createInOwnSchema: false, notOwned: [],
};

test('permissions: each missing privilege is named with its GRANT', () => {
  assert.equal(permissionsVerdict(facts, false).status, 'pass');
  const v = permissionsVerdict({ ...facts, createInSchema: false, createInDatabase: false, notOwned: ['organizations'] }, false);
  assert.equal(v.status, 'fail');
  assert.equal(v.message, 'PostgreSQL user "app" is missing privileges: it may not create tables in schema "public" (GRANT CREATE ON SCHEMA "public" TO "app"); nor create schema mongo2pg (GRANT CREATE ON DATABASE "target" TO "app"); nor own the existing tables organizations (ALTER TABLE … OWNER TO "app")');
  assert.match(permissionsVerdict({ ...facts, ownSchemaExists: true, createInOwnSchema: false }, false).message, /GRANT CREATE ON SCHEMA mongo2pg/);
  assert.match(permissionsVerdict({ ...facts, schema: null }, false).message, /no schema on the search_path/);
  assert.equal(permissionsVerdict({ ...facts, superuser: true, createInSchema: false }, false).status, 'pass');
  assert.equal(permissionsVerdict({ ...facts, createInSchema: false }, true).status, 'warn');
});

test('source collections: all present, some missing (warn), none present (fail)', () => {
  const sets = [{ collection: 'organizations', scope: 'global' as const }, { collection: 'users', scope: 'global' as const }, { collection: 'ai_sessions', scope: 'organization' as const }];
  assert.equal(collectionsVerdict(sets, new Set(['organizations', 'users']), 'db').status, 'pass');
  assert.equal(collectionsVerdict(sets, new Set(['organizations']), 'db').status, 'warn');
  const none = collectionsVerdict(sets, new Set(['other']), 'db');
  assert.equal(none.status, 'fail');
  assert.match(none.message, /none of the source collections \(organizations, users\); check API_MONGO_DB/);
});

test('master password length counts characters, not bytes', () => {
  assert.equal(checkMasterPasswordLength('é'.repeat(32)).status, 'pass');
  assert.equal(checkMasterPasswordLength('x'.repeat(31)).status, 'fail');
});

test('master password sample: all fail → does not match; some fail → named; unreadable → warned', () => {
  const good = (id: string, pw = 'p'.repeat(40)): Record<string, unknown> => ({ _id: id, ...sourceSecretFields(encryptSourceSecret('s', pw, { iterations: 1000 })) });
  const wrong = decryptSample([good('a'), good('b')], 'q'.repeat(40));
  assert.deepEqual(wrong, { sampled: 2, decrypted: 0, failedIds: ['a', 'b'], unreadableIds: [] });
  assert.match(masterPasswordVerdict(wrong).message, /does not match .*: 2 of 2 sampled credentials failed authenticated decryption/);
  const mixed = decryptSample([good('a'), good('b', 'q'.repeat(40)), { _id: 'c', alg: 'none' }], 'p'.repeat(40));
  const v = masterPasswordVerdict(mixed);
  assert.equal(v.status, 'fail');
  assert.match(v.message, /^1 of 2 sampled credentials failed authenticated decryption with this master password while 1 decrypted.*\(ids: b\)$/);
  const unreadable = masterPasswordVerdict(decryptSample([good('a'), { _id: 'c', alg: 'none' }], 'p'.repeat(40)));
  assert.equal(unreadable.status, 'warn');
  assert.match(unreadable.message, /1 not in the documented format will fail as records \(ids: c\)/);
});

test("target-empty: the tool's own unfinished migration resumes; a finished one and foreign rows are refused (issue 13, D5)", () => {
  const rows = [{ table: 'organizations', rows: 3 }, { table: 'mongo2pg.migration_status', rows: 1 }];
  const convert = { skipExisting: false, dryRun: false };
  const at = new Date('2026-12-01T10:00:00Z');
  for (const status of ['running', 'interrupted', 'failed'] as const) {
    const v = targetEmptyVerdict(rows, 10, convert, { status, startedAt: at, updatedAt: at, finishedAt: null, runs: 2 });
    assert.equal(v.status, 'warn', status);
    assert.equal(v.details?.resume, true);
    assert.match(v.message, /^resuming this tool's unfinished migration \(started 2026-12-01T10:00:00.000Z, 2 run\(s\), the last one (killed|interrupted|failed)\)/);
  }
  const finished = targetEmptyVerdict(rows, 10, convert, { status: 'finished', startedAt: at, updatedAt: at, finishedAt: at, runs: 1 });
  assert.equal(finished.status, 'fail');
  assert.match(finished.message, /holds a migration this tool finished at 2026-12-01T10:00:00.000Z/);
  const foreign = targetEmptyVerdict(rows, 10, convert, null);
  assert.equal(foreign.status, 'fail');
  assert.equal(foreign.details?.resume, undefined);
  // A dry run never resumes anything: it writes nothing.
  assert.equal(targetEmptyVerdict(rows, 10, { skipExisting: false, dryRun: true }, { status: 'failed', startedAt: at, updatedAt: at, finishedAt: null, runs: 1 }).details?.resume, undefined);
});
