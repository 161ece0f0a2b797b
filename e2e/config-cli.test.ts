/**
 * The built CLI's configuration surface, as an operator meets it: `--help`, `config`, every
 * setting through env var, flag (both spellings), flag over env var and `<ENV>_FILE`, and an
 * invalid value of every setting refused with exit code 2. No secret is ever printed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETTINGS, type Setting } from '../app/config/settings.js';
import { ExitCode } from '../app/errors.js';
import { runCli, type CliResult } from '../test/helpers/cli.js';

const MONGO_PW = 'mongo-Secret-e2e-5521';
const PG_PW = 'pg-Secret-e2e-8830';
const MASTER = 'master-Secret-e2e-0123456789-abcdefghij';
const SECRETS = [MONGO_PW, PG_PW, MASTER];
const REQUIRED: Record<string, string> = {
  API_MONGO_DSN: `mongodb://app:${MONGO_PW}@mongo-0.internal:27017,mongo-1.internal:27017/?replicaSet=rs0`,
  API_POSTGRES_URL: `postgres://app:${PG_PW}@pg.internal:5432/target`,
  CREDENTIALS_MASTER_PASSWORD: MASTER,
};
const dir = mkdtempSync(join(tmpdir(), 'mongo2pg-e2e-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const output = (r: CliResult): string => `${r.stdout}${r.stderr}`;

function assertNoSecret(r: CliResult): void {
  for (const secret of SECRETS) assert.ok(!output(r).includes(secret), `secret ${secret} printed:\n${output(r)}`);
}

test('--help and -help list every setting: flag, env var, default, description, and the exit codes', async () => {
  for (const arg of ['--help', '-help']) {
    const r = await runCli([arg], {});
    assert.equal(r.code, ExitCode.ok);
    for (const s of SETTINGS) {
      assert.ok(r.stdout.includes(`--${s.flag} <`), s.flag);
      assert.ok(r.stdout.includes(`env ${s.env}`), s.env);
      assert.ok(r.stdout.includes(`default: ${s.default === '' ? (s.required ? '(required)' : '(unset)') : s.default}`), `${s.env} default`);
      assert.ok(r.stdout.includes(s.doc), `${s.env} doc`);
    }
    assert.match(r.stdout, /Exit codes: 0 success, 1 unexpected error, 2 invalid configuration, 3 pre-flight gate refused/);
  }
});

test('`config` prints every setting with its source and no secret, secrets from env, flag or file', async () => {
  const pwFile = join(dir, 'master-password');
  writeFileSync(pwFile, `${MASTER}\n`);
  const r = await runCli(['config', '-postgres_url', REQUIRED.API_POSTGRES_URL as string], {
    API_MONGO_DSN: REQUIRED.API_MONGO_DSN as string,
    CREDENTIALS_MASTER_PASSWORD_FILE: pwFile,
  });
  assert.equal(r.code, ExitCode.ok, output(r));
  assertNoSecret(r);
  assert.equal(r.stdout.trim().split('\n').length, SETTINGS.length);
  assert.match(r.stdout, /^API_MONGO_DSN=mongodb:\/\/\[redacted\]@mongo-0\.internal:27017,mongo-1\.internal:27017\/\?\[redacted\] {2}# mongo\.dsn, from env$/m);
  assert.match(r.stdout, /^API_POSTGRES_URL=postgres:\/\/\[redacted\]@pg\.internal:5432\/target {2}# postgres\.url, from --postgres_url$/m);
  assert.match(r.stdout, /^CREDENTIALS_MASTER_PASSWORD=\[redacted\] {2}# credentials\.masterPassword, from CREDENTIALS_MASTER_PASSWORD_FILE$/m);
});

/** Runs in small groups: each CLI start costs a Node start and the driver's load. */
async function inGroups<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return out;
}

/** `config` lines by env var name: "value  # key, from source" split in two. */
function lines(r: CliResult): Map<string, { value: string; from: string }> {
  assert.equal(r.code, ExitCode.ok, output(r));
  assertNoSecret(r);
  const out = new Map<string, { value: string; from: string }>();
  for (const line of r.stdout.trim().split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*) {2}# [\w.]+, from (\S+)$/.exec(line);
    assert.ok(m, `unexpected config line ${line}`);
    out.set(m[1] as string, { value: m[2] as string, from: m[3] as string });
  }
  assert.equal(out.size, SETTINGS.length);
  return out;
}

const example = (s: Setting): string => (s.env in REQUIRED ? (REQUIRED[s.env] as string) : s.type.example);

test('every setting from its env var, from --flag / -flag, from <ENV>_FILE, and the flag over the env var', async () => {
  const envAll: Record<string, string> = Object.fromEntries(SETTINGS.map((s) => [s.env, example(s)]));
  // Alternating spellings: --name=value and the original -name value.
  const flagArgs = SETTINGS.flatMap((s, i) => (i % 2 === 0 ? [`--${s.flag}=${example(s)}`] : [`-${s.flag}`, example(s)]));
  const fileEnv: Record<string, string> = {};
  for (const s of SETTINGS) {
    const path = join(dir, `${s.env}.value`);
    writeFileSync(path, `${example(s)}\n`);
    fileEnv[`${s.env}_FILE`] = path;
  }
  // Every env var holds an invalid value (or an unrelated secret); only the flags winning makes this load.
  const junkEnv: Record<string, string> = Object.fromEntries(SETTINGS.map((s) => [s.env, s.type.counterexample ?? `${example(s)}-from-env`]));

  const [fromEnv, fromFlags, fromFiles, flagOverEnv] = await Promise.all([
    runCli(['config'], envAll),
    runCli(['config', ...flagArgs], {}),
    runCli(['config'], fileEnv),
    runCli(['config', ...flagArgs], junkEnv),
  ]).then((rs) => rs.map(lines));
  for (const s of SETTINGS) {
    const expected = fromEnv?.get(s.env);
    assert.equal(expected?.from, 'env', s.env);
    assert.equal(fromFlags?.get(s.env)?.from, `--${s.flag}`, s.env);
    assert.equal(fromFiles?.get(s.env)?.from, `${s.env}_FILE`, s.env);
    assert.equal(flagOverEnv?.get(s.env)?.from, `--${s.flag}`, s.env);
    for (const other of [fromFlags, fromFiles, flagOverEnv]) assert.equal(other?.get(s.env)?.value, expected?.value, s.env);
    if (!s.secret && s.default !== example(s)) {
      assert.notEqual(expected?.value, '(unset)', s.env);
    }
  }
});

const invalid = SETTINGS.filter((s) => s.type.counterexample !== undefined);

test('an invalid value of any setting exits 2 with one line naming the setting and the allowed form', async () => {
  const results = await inGroups(invalid, 8, async (s) => ({ s, r: await runCli(['config'], { ...REQUIRED, [s.env]: s.type.counterexample as string }) }));
  for (const { s, r } of results) {
    assert.equal(r.code, ExitCode.invalidConfig, `${s.env}: ${output(r)}`);
    assert.equal(r.stdout, '');
    const errors = r.stderr.trim().split('\n');
    assert.equal(errors.length, 1, r.stderr);
    assert.ok(errors[0]?.includes(`env ${s.env}: must be `), r.stderr);
    assertNoSecret(r);
  }
});

test('an invalid flag value exits 2 naming the flag', async () => {
  const r = await runCli(['config', '-convert_batch_size', '12abc'], REQUIRED);
  assert.equal(r.code, ExitCode.invalidConfig);
  assert.equal(r.stderr.trim(), 'mongo2pg: invalid configuration: flag --convert_batch_size: must be a whole number of at least 1, got "12abc"');
});

test('an invalid secret is named, never shown', async () => {
  const bad = `mongodb://app:${MONGO_PW}@host:notaport/`;
  const r = await runCli(['config'], { ...REQUIRED, API_MONGO_DSN: bad });
  assert.equal(r.code, ExitCode.invalidConfig);
  assert.match(r.stderr, /env API_MONGO_DSN: must be a MongoDB connection string/);
  assertNoSecret(r);
});

test('unknown flags and commands exit 2', async () => {
  const flag = await runCli(['config', '--no_such_setting=1'], REQUIRED);
  assert.equal(flag.code, ExitCode.invalidConfig);
  assert.match(flag.stderr, /unknown flag --no_such_setting/);
  const command = await runCli(['migrat'], REQUIRED);
  assert.equal(command.code, ExitCode.invalidConfig);
  assert.match(command.stderr, /unknown command "migrat"/);
});

test('a missing required setting exits 2 naming its env var, file variant and flag', async () => {
  const r = await runCli(['preflight'], { API_MONGO_DSN: REQUIRED.API_MONGO_DSN as string, CREDENTIALS_MASTER_PASSWORD: MASTER });
  assert.equal(r.code, ExitCode.invalidConfig);
  assert.match(r.stderr, /API_POSTGRES_URL is required: set env API_POSTGRES_URL, API_POSTGRES_URL_FILE or flag --postgres_url/);
  assertNoSecret(r);
});
