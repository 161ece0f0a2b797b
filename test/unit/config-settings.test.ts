/**
 * Every setting of the table, through every way of setting it: env var, flag (both spellings),
 * flag over env var, `<ENV>_FILE`, and an invalid value. New settings are covered automatically.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dsnPasswords, loadConfig, parseArgs, type LoadedConfig } from '../../app/config/load.js';
import { redactor } from '../../app/log/redact.js';
import { SETTINGS, type Setting } from '../../app/config/settings.js';
import { ConfigError, ExitCode } from '../../app/errors.js';

/** The minimum for a loadable configuration: the required settings. */
const BASE_ENV: Record<string, string> = {
  API_MONGO_DSN: 'mongodb://base-user:base-mongo-pw@mongo.internal:27017/',
  API_POSTGRES_URL: 'postgres://base-user:base-pg-pw@pg.internal:5432/target',
  CREDENTIALS_MASTER_PASSWORD: 'base-master-password-0123456789abcdefgh',
};

const dir = mkdtempSync(join(tmpdir(), 'mongo2pg-config-'));

function valueAt(loaded: LoadedConfig, setting: Setting): unknown {
  const [group, name] = setting.key.split('.') as [string, string];
  return (loaded.config as unknown as Record<string, Record<string, unknown>>)[group]?.[name];
}

/** A second valid value, different from the example, for flag-over-env. */
function otherValue(setting: Setting): string {
  const { type } = setting;
  if (setting.default !== '' && String(type.parse(setting.default)) !== String(type.parse(type.example))) return setting.default;
  switch (type.kind) {
    case 'url':
      return type.example.replace(/example\.internal|mongo-0/, 'other-host');
    case 'date':
      return '2024-12-31';
    case 'enum':
      return type.values?.[0] as string;
    case 'boolean':
      return String(!type.parse(type.example));
    default:
      return `${type.example}-other`;
  }
}

function load(env: Record<string, string>, argv: string[] = []): LoadedConfig {
  return loadConfig(parseArgs(argv).flags, { ...BASE_ENV, ...env });
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

test('every setting has a valid example and, unless it is free text, an invalid one', () => {
  for (const s of SETTINGS) {
    assert.doesNotThrow(() => s.type.parse(s.type.example), s.env);
    if (s.type.counterexample === undefined) assert.equal(s.type.kind, 'string', `${s.env} needs a counterexample`);
    if (s.default !== '') assert.doesNotThrow(() => s.type.parse(s.default), `${s.env} default`);
  }
});

test('env var, flag and flag spellings are unique across settings', () => {
  for (const field of ['env', 'flag', 'key'] as const) {
    const values = SETTINGS.map((s) => s[field]);
    assert.equal(new Set(values).size, values.length, field);
  }
});

for (const s of SETTINGS) {
  const expected = (raw: string): unknown => s.type.parse(raw);

  test(`${s.env}: from the env var`, () => {
    const loaded = load({ [s.env]: s.type.example });
    assert.deepEqual(valueAt(loaded, s), expected(s.type.example));
    assert.equal(loaded.sources.get(s.key), 'env');
  });

  test(`${s.env}: from --${s.flag} and -${s.flag}`, () => {
    for (const argv of [[`--${s.flag}`, s.type.example], [`-${s.flag}`, s.type.example], [`--${s.flag}=${s.type.example}`], [`-${s.flag}=${s.type.example}`]]) {
      const loaded = load({}, argv);
      assert.deepEqual(valueAt(loaded, s), expected(s.type.example), argv.join(' '));
      assert.equal(loaded.sources.get(s.key), 'flag');
    }
  });

  test(`${s.env}: the flag wins over the env var`, () => {
    const other = otherValue(s);
    assert.notDeepEqual(expected(other), expected(s.type.example));
    const loaded = load({ [s.env]: other }, [`--${s.flag}=${s.type.example}`]);
    assert.deepEqual(valueAt(loaded, s), expected(s.type.example));
  });

  test(`${s.env}: from the file named by ${s.env}_FILE, trailing newline trimmed`, () => {
    const path = join(dir, `${s.env}.txt`);
    writeFileSync(path, `${s.type.example}\n`);
    const env: Record<string, string> = { [`${s.env}_FILE`]: path };
    const loaded = loadConfig(new Map(), { ...BASE_ENV, [s.env]: '', ...env });
    assert.deepEqual(valueAt(loaded, s), expected(s.type.example));
    assert.equal(loaded.sources.get(s.key), 'file');
  });

  if (s.type.counterexample !== undefined) {
    const bad = s.type.counterexample;
    test(`${s.env}: an invalid value is one clear error naming the setting and the allowed form`, () => {
      for (const [env, argv, names] of [
        [{ [s.env]: bad }, [], `env ${s.env}`],
        // `=`: like Go's flag package, a boolean flag never takes the next argument unless it is a boolean word.
        [{}, [`-${s.flag}=${bad}`], `flag --${s.flag}`],
      ] as const) {
        const err = configError(() => load(env, [...argv]));
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.equal(err.exitCode, ExitCode.invalidConfig);
        assert.equal(err.message.split('\n').length, 1, err.message);
        assert.ok(err.message.includes(names), err.message);
        assert.match(err.message, /must be /);
        if (s.secret) assert.ok(!err.message.includes(bad), `secret value echoed: ${err.message}`);
        else assert.ok(err.message.includes(JSON.stringify(bad)), err.message);
      }
    });
  }
}

test('required settings: a missing one names its env var, file variant and flag', () => {
  const err = configError(() => loadConfig(new Map(), { ...BASE_ENV, API_POSTGRES_URL: '' }));
  assert.match(err.message, /API_POSTGRES_URL is required: set env API_POSTGRES_URL, API_POSTGRES_URL_FILE or flag --postgres_url/);
});

test('`config` may run without the required settings', () => {
  assert.doesNotThrow(() => loadConfig(new Map(), {}, { requireConnections: false }));
});

test('all problems are reported together, one line each', () => {
  const err = configError(() => load({ CONVERT_BATCH_SIZE: '0', CONVERT_DRY_RUN: 'yes', CONVERT_SINCE: '2025-13-01' }));
  const lines = err.message.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[1] as string, /env CONVERT_BATCH_SIZE: must be a whole number of at least 1, got "0"/);
  assert.match(lines[2] as string, /env CONVERT_DRY_RUN: must be true or false, got "yes"/);
  assert.match(lines[3] as string, /env CONVERT_SINCE: must be a date in the form YYYY-MM-DD, got "2025-13-01"|must be a real calendar date/);
});

test('a value and its _FILE both set is an error', () => {
  const path = join(dir, 'both.txt');
  writeFileSync(path, 'x');
  const err = configError(() => load({ CREDENTIALS_MASTER_PASSWORD_FILE: path }));
  assert.match(err.message, /CREDENTIALS_MASTER_PASSWORD and CREDENTIALS_MASTER_PASSWORD_FILE are both set/);
});

test('an unreadable or empty secret file is named, the value is not', () => {
  const missing = configError(() => loadConfig(new Map(), { ...BASE_ENV, API_MONGO_DSN: '', API_MONGO_DSN_FILE: join(dir, 'nope') }));
  assert.match(missing.message, /API_MONGO_DSN_FILE: cannot read .*nope \(ENOENT\)/);
  const path = join(dir, 'empty.txt');
  writeFileSync(path, '\n');
  const empty = configError(() => loadConfig(new Map(), { ...BASE_ENV, API_MONGO_DSN: '', API_MONGO_DSN_FILE: path }));
  assert.match(empty.message, /API_MONGO_DSN \(read from .*empty\.txt, named by API_MONGO_DSN_FILE\): the file is empty/);
});

test('only one trailing newline of a file is trimmed; CRLF too; inner whitespace is kept', () => {
  const path = join(dir, 'pw.txt');
  writeFileSync(path, 'a master password with spaces 0123456789\r\n');
  const loaded = loadConfig(new Map(), { ...BASE_ENV, CREDENTIALS_MASTER_PASSWORD: '', CREDENTIALS_MASTER_PASSWORD_FILE: path });
  assert.equal(loaded.config.credentials.masterPassword, 'a master password with spaces 0123456789');
});

test('every secret in force is listed for redaction, whatever its source', () => {
  const path = join(dir, 'dsn.txt');
  writeFileSync(path, 'postgres://u:file-pg-pw@h/db\n');
  const loaded = loadConfig(parseArgs(['--credentials_master_password', 'flag-master-password-0123456789abcdef']).flags, { ...BASE_ENV, API_POSTGRES_URL: '', API_POSTGRES_URL_FILE: path });
  assert.deepEqual([...loaded.config.secrets].sort(), [BASE_ENV.API_MONGO_DSN, 'base-mongo-pw', 'flag-master-password-0123456789abcdef', 'postgres://u:file-pg-pw@h/db', 'file-pg-pw'].sort());
});

test('a DSN password quoted alone is redacted too, seed lists and URL escapes included', () => {
  const dsn = 'mongodb://app:S3cret%21pw@m1:27017,m2:27017/?replicaSet=rs0';
  const { config } = load({ API_MONGO_DSN: dsn });
  assert.deepEqual(dsnPasswords(dsn), ['S3cret%21pw', 'S3cret!pw']);
  const redact = redactor(config.secrets);
  assert.equal(redact.text(`auth failed for S3cret!pw (S3cret%21pw) via ${dsn}`), 'auth failed for [redacted] ([redacted]) via mongodb://app:[redacted]@m1:27017,m2:27017/?replicaSet=rs0');
  assert.deepEqual(dsnPasswords('postgres://h/db'), []);
  assert.deepEqual(dsnPasswords('postgres://user@h/db'), []);
});

test('a DSN that fails to parse is refused without echoing it', () => {
  const err = configError(() => load({ API_MONGO_DSN: 'mongodb://user:very-secret-pw@host:notaport/' }));
  assert.ok(!err.message.includes('very-secret-pw'), err.message);
  assert.match(err.message, /env API_MONGO_DSN: must be a MongoDB connection string/);
});

test('the configuration is frozen', () => {
  const { config } = load({});
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.mongo));
  assert.throws(() => {
    (config.mongo as { db: string }).db = 'x';
  });
});

test('a password that is not URL-encoded (issue 13, D10): refused with a hint, no piece of it quoted, every piece redacted', () => {
  const password = 'Mg@Pw:Sec/ret%Tango42';
  for (const [env, dsn] of [['API_MONGO_DSN', `mongodb://u:${password}@host/`], ['API_POSTGRES_URL', `postgres://u:${password}@host/db`]] as const) {
    const err = configError(() => load({ [env]: dsn }));
    for (const piece of ['Pw:Sec', 'Tango42', 'Sec/ret', 'Mg@']) assert.ok(!err.message.includes(piece), `${piece} in ${err.message}`);
    assert.match(err.message, /must be percent-encoded/);
    const redact = redactor([dsn, ...dsnPasswords(dsn)]);
    assert.equal(redact.text(`Unable to parse Pw:Sec with URL; ${dsn}`), `Unable to parse [redacted] with URL; ${dsn.slice(0, dsn.indexOf('//') + 2)}u:[redacted]@${dsn.slice(dsn.lastIndexOf('@') + 1)}`);
  }
});

test('the DSN usage hint reads as written through redaction (issue 16); a real password in the same form is still hidden', () => {
  // The hint's wording, written down in the issue: the literal placeholder, not "[user:[redacted]@]".
  const hint = 'mongodb://[user:password@]host[:port][,host…][/db][?options]';
  for (const dsn of ['mongodb://u:secret-Pw-7781@host:notaport/', 'mongodb://host:notaport/']) {
    const err = configError(() => load({ API_MONGO_DSN: dsn }));
    assert.ok(err.message.includes(`env API_MONGO_DSN: must be a MongoDB connection string: ${hint}`), err.message);
    assert.ok(!err.message.includes('secret-Pw-7781') && !err.message.includes('[redacted]'), err.message);
  }
  const redact = redactor([]);
  assert.equal(redact.text(`use ${hint}`), `use ${hint}`);
  // The same shape with anything but the placeholder is a credential and is hidden.
  assert.equal(redact.text('mongodb://[user:hunter22@]host'), 'mongodb://[user:[redacted]@]host');
  assert.equal(redact.text('mongodb://admin:password@host'), 'mongodb://admin:[redacted]@host');
  assert.equal(redact.text('postgres://user:passw0rd@host/db'), 'postgres://user:[redacted]@host/db');
  // A secret given to the redactor is replaced even when it is the placeholder's word.
  assert.equal(redactor(['password']).text('mongodb://user:password@host'), 'mongodb://user:[redacted]@host');
});
