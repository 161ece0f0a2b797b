import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../app/config/args.js';
import { ConfigError, ExitCode } from '../../app/errors.js';

test('flags: --name value, --name=value, -name value, -name=value', () => {
  for (const argv of [['--mongo_db', 'a'], ['--mongo_db=a'], ['-mongo_db', 'a'], ['-mongo_db=a'], ['--mongo-db', 'a']]) {
    assert.equal(parseArgs(argv).flags.get('mongo_db'), 'a', argv.join(' '));
  }
});

test('the command is the first positional, wherever the flags are', () => {
  const parsed = parseArgs(['-mongo_db', 'x', 'preflight', '--convert_dry_run']);
  assert.equal(parsed.command, 'preflight');
  assert.equal(parsed.flags.get('convert_dry_run'), 'true');
});

test('a boolean flag alone is true; it takes the next word only if that is a boolean', () => {
  assert.equal(parseArgs(['--convert_dry_run']).flags.get('convert_dry_run'), 'true');
  assert.equal(parseArgs(['--convert_dry_run', 'false']).flags.get('convert_dry_run'), 'false');
  const parsed = parseArgs(['-convert_skip_existing', 'migrate']);
  assert.equal(parsed.flags.get('convert_skip_existing'), 'true');
  assert.equal(parsed.command, 'migrate');
});

test('the last occurrence of a flag wins', () => {
  assert.equal(parseArgs(['--mongo_db', 'a', '--mongo_db', 'b']).flags.get('mongo_db'), 'b');
});

test('values may start with a dash or contain =', () => {
  assert.equal(parseArgs(['--convert_work_dir', '-odd-dir']).flags.get('convert_work_dir'), '-odd-dir');
  assert.equal(parseArgs(['--postgres_url=postgres://h/db?options=-c%20a=b']).flags.get('postgres_url'), 'postgres://h/db?options=-c%20a=b');
});

test('--help, -help and -h', () => {
  for (const arg of ['--help', '-help', '-h']) assert.equal(parseArgs([arg]).help, true);
});

test('an unknown flag is an invalid-configuration error that names it', () => {
  assert.throws(() => parseArgs(['--mongo_dbb=x']), (err: unknown) => err instanceof ConfigError && err.exitCode === ExitCode.invalidConfig && /unknown flag --mongo_dbb;/.test(err.message));
});

test('a flag missing its value says what it needs', () => {
  assert.throws(() => parseArgs(['--convert_batch_size']), /flag --convert_batch_size needs a value \(whole number ≥ 1\)/);
});
