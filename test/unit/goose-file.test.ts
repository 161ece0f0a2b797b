import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { GooseParseError, parseGooseFile } from '../../app/schema-migrations/goose-file.js';

test('splits statements on trailing semicolons and keeps StatementBegin blocks whole', () => {
  const m = parseGooseFile('00042_example.sql', [
    '-- +goose Up',
    'CREATE TABLE a (id int); -- trailing comment',
    'CREATE TABLE b (',
    '  id int',
    ');',
    '-- +goose StatementBegin',
    'CREATE FUNCTION f() RETURNS trigger AS $$',
    'BEGIN',
    '  RETURN NEW;',
    'END;',
    '$$ LANGUAGE plpgsql;',
    '-- +goose StatementEnd',
    '-- +goose Down',
    'DROP TABLE b;',
    'DROP TABLE a;',
  ].join('\n'));
  assert.equal(m.version, 42n);
  assert.equal(m.name, '00042_example');
  assert.equal(m.noTransaction, false);
  assert.equal(m.up.length, 3);
  assert.match(m.up[2] as string, /^CREATE FUNCTION[\s\S]*LANGUAGE plpgsql;$/);
  assert.deepEqual(m.down, ['DROP TABLE b;', 'DROP TABLE a;']);
});

test('honours NO TRANSACTION', () => {
  const m = parseGooseFile('20250101000000_idx.sql', '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (c);\n-- +goose Down\nDROP INDEX i;\n');
  assert.equal(m.noTransaction, true);
  assert.equal(m.version, 20250101000000n);
  assert.deepEqual(m.up, ['CREATE INDEX CONCURRENTLY i ON t (c);']);
});

test('rejects malformed files with a reason', () => {
  assert.throws(() => parseGooseFile('bad.sql', '-- +goose Up\nSELECT 1;'), GooseParseError);
  assert.throws(() => parseGooseFile('1_x.sql', 'SELECT 1;'), /no "-- \+goose Up"/);
  assert.throws(() => parseGooseFile('1_x.sql', '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;'), /without StatementEnd/);
  assert.throws(() => parseGooseFile('1_x.sql', '-- +goose Up\n-- +goose Sideways\n'), /unknown annotation/);
});

test('every file in schema/ parses and has an Up section', () => {
  const dir = new URL('../../schema/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const m = parseGooseFile(f, readFileSync(new URL(f, dir), 'utf8'));
    assert.ok(m.up.length > 0, `${f} has statements in its Up section`);
  }
});
