import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, redactDsn } from '../../app/config/describe.js';
import { describeConfig, helpText, loadConfig, parseArgs } from '../../app/config/load.js';
import { SETTINGS } from '../../app/config/settings.js';

const MONGO_PW = 'mongo-pw-Zq81';
const PG_PW = 'pg-pw-Xv42';
const MASTER = 'master-password-Kd93-0123456789abcdefghij';

test('--help lists every setting with flag, env var, default and description', () => {
  const help = helpText();
  for (const s of SETTINGS) {
    assert.ok(help.includes(`--${s.flag} <${s.type.form}>`), s.flag);
    assert.ok(help.includes(`env ${s.env}`), s.env);
    assert.ok(help.includes(`default: ${s.default === '' ? (s.required ? '(required)' : '(unset)') : s.default}`), `${s.env} default`);
    assert.ok(help.includes(s.doc), `${s.env} doc`);
  }
  assert.match(help, /API_MONGO_DSN or API_MONGO_DSN_FILE \(secret\)/);
  assert.match(help, /2 invalid configuration, 3 pre-flight gate refused/);
});

test('`config` shows every setting and its source, secrets redacted, DSN hosts kept', () => {
  const loaded = loadConfig(parseArgs(['-credentials_master_password', MASTER, '--convert_since=2026-01-01', '--mongo_connection_timeout=1m30s']).flags, {
    API_MONGO_DSN: `mongodb://app:${MONGO_PW}@m1:27017,m2:27017/?replicaSet=rs0&authSource=admin`,
    API_POSTGRES_URL: `postgres://app:${PG_PW}@pg:5432/target?sslmode=require`,
    PUSHGATEWAY_URL: 'http://user:push-pw-77@push:9091',
  });
  const lines = describeConfig(loaded);
  assert.equal(lines.length, SETTINGS.length);
  const out = lines.join('\n');
  for (const secret of [MONGO_PW, PG_PW, MASTER, 'push-pw-77']) assert.ok(!out.includes(secret), secret);
  assert.match(out, /^API_MONGO_DSN=mongodb:\/\/\[redacted\]@m1:27017,m2:27017\/\?\[redacted\] {2}# mongo\.dsn, from env$/m);
  assert.match(out, /^API_POSTGRES_URL=postgres:\/\/\[redacted\]@pg:5432\/target\?\[redacted\]/m);
  assert.match(out, /^CREDENTIALS_MASTER_PASSWORD=\[redacted\] {2}# credentials\.masterPassword, from --credentials_master_password$/m);
  assert.match(out, /^CONVERT_SINCE=2026-01-01 /m);
  assert.match(out, /^API_MONGO_CONNECTION_TIMEOUT=1m30s /m);
  assert.match(out, /^CONVERT_BATCH_SIZE=1000 {2}# convert\.batchSize, from default$/m);
});

test('redactDsn keeps scheme, hosts and path only', () => {
  assert.equal(redactDsn('postgres://h/db'), 'postgres://h/db');
  assert.equal(redactDsn('postgres://u@h/db'), 'postgres://[redacted]@h/db');
  assert.equal(redactDsn('mongodb+srv://u:p@c.example.net/?tls=true'), 'mongodb+srv://[redacted]@c.example.net/?[redacted]');
  assert.equal(redactDsn('garbage with secret'), '[redacted]');
});

test('durations print in the form they are written', () => {
  assert.equal(formatDuration(5000), '5s');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(0), '0s');
});

test('redactDsn hides a password that is not URL-encoded up to the last @ (issue 13, D10)', () => {
  assert.equal(redactDsn('postgres://u:Mg@Pw@host/db'), 'postgres://[redacted]@host/db');
});

test('`config` marks required settings that are unset as required, optional unset ones as unset', () => {
  const loaded = loadConfig(parseArgs([]).flags, {}, { requireConnections: false });
  const lines = describeConfig(loaded);
  const required = SETTINGS.filter((s) => s.required).map((s) => s.env);
  // The settings marked required in app/config/settings.ts: the two connections and the master password.
  assert.deepEqual(required.sort(), ['API_MONGO_DSN', 'API_POSTGRES_URL', 'CREDENTIALS_MASTER_PASSWORD']);
  for (const env of required) assert.ok(lines.includes(`${env}=(unset — required)  # ${SETTINGS.find((s) => s.env === env)!.key}, from default`), env);
  assert.ok(lines.includes('PUSHGATEWAY_URL=(unset)  # progress.pushgatewayUrl, from default'), 'optional unset stays (unset)');
  assert.equal(lines.filter((l) => l.includes('required')).length, 3);
});
