// The credentials data set against the test vectors of docs/credentials.md: the source document
// of the vector decrypts and becomes exactly the documented target envelope (with the vector's
// fixed salt/nonce), and everything else maps like any other record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Binary, Int32, Long, ObjectId } from 'mongodb';
import { credentials } from '../../app/datasets/record/credentials.js';
import { isCredentialError } from '../../app/credentials/errors.js';
import { decryptTarget, deriveTargetKey } from '../../app/credentials/target-format.js';
import { ENV, ORG, T1, T1_ISO, T2, T2_ISO, USER, onlyRow, refsOf, transformErrorOn } from './datasets-support.js';

const PASSWORD = 'correct horse battery staple 0123456789';
const ID = '64b7f0c2e4b0a1a2b3c4d5e6';
const KEY = deriveTargetKey(PASSWORD);
const VECTOR_CIPHERTEXT = Buffer.from('6314ab6e2f3867656cd6d2679fdd6499affbc24e02c9', 'hex');
const VECTOR_ENVELOPE = '\\x0111111111111111111111111111111111222222222222222222222222f5a9111d430a5853cf7826e2deff7d85dde5098dd9dc';
const fixed = () => ({ salt: Buffer.alloc(16, 0x11), nonce: Buffer.alloc(12, 0x22) });
const dataSet = credentials({ credentials: { masterPassword: PASSWORD } }, { targetKey: KEY, envelopeRandomness: fixed });

const clean = () => ({
  _id: new ObjectId(ID),
  organizationId: ORG,
  environmentId: ENV,
  name: 'DB_PASSWORD',
  type: 'password',
  description: 'Used by db-password steps',
  ciphertext: new Binary(VECTOR_CIPHERTEXT),
  nonce: new Binary(Buffer.alloc(12, 0x44)),
  salt: new Binary(Buffer.alloc(16, 0x33)),
  alg: 'AES-256-GCM',
  kdf: { name: 'pbkdf2-sha256', iterations: new Int32(1000) },
  keyVersion: new Int32(1),
  createdBy: USER,
  createdAt: T1,
  updatedAt: T2,
});

const ENCRYPTION = '{"target":1,"source":{"alg":"AES-256-GCM","kdf":"pbkdf2-sha256","iterations":1000,"keyVersion":1}}';

test('a clean credential is re-encrypted into the documented v1 envelope; the source secret fields are not copied', () => {
  assert.deepEqual(onlyRow(dataSet, clean()), [ID, ORG, ENV, 'DB_PASSWORD', 'password', 'Used by db-password steps', VECTOR_ENVELOPE, ENCRYPTION, USER, T1_ISO, T2_ISO, null]);
  assert.deepEqual(refsOf(dataSet, clean()), [`organization:${ORG}`, `environment:${ORG}/${ENV}`]);
});

test('with production randomness the envelope differs per run but decrypts, for this row id only, to the source secret', () => {
  const production = credentials({ credentials: { masterPassword: PASSWORD } }, { targetKey: KEY });
  const a = onlyRow(production, clean())[6] as string;
  const b = onlyRow(production, clean())[6] as string;
  assert.notEqual(a, b, 'fresh salt and nonce per encryption');
  for (const envelope of [a, b]) assert.equal(decryptTarget(Buffer.from(envelope.slice(2), 'hex'), KEY, ID).toString('utf8'), 's3cr3t');
  assert.throws(() => decryptTarget(Buffer.from(a.slice(2), 'hex'), KEY, '64b7f0c2e4b0a1a2b3c4d5e7'), (err: unknown) => isCredentialError(err) && err.reason === 'authentication');
});

test('legacy credential: base64 strings instead of Binary give the same envelope', () => {
  const doc = { ...clean(), ciphertext: VECTOR_CIPHERTEXT.toString('base64'), nonce: Buffer.alloc(12, 0x44).toString('base64'), salt: Buffer.alloc(16, 0x33).toString('base64') };
  assert.equal(onlyRow(dataSet, doc)[6], VECTOR_ENVELOPE);
});

test('messy credential: keyVersion null or missing is recorded as stored, dates as strings, createdBy as ObjectId', () => {
  const { keyVersion: _k, ...withoutVersion } = clean();
  assert.equal(onlyRow(dataSet, withoutVersion)[7], '{"target":1,"source":{"alg":"AES-256-GCM","kdf":"pbkdf2-sha256","iterations":1000}}');
  assert.equal(onlyRow(dataSet, { ...clean(), keyVersion: null })[7], '{"target":1,"source":{"alg":"AES-256-GCM","kdf":"pbkdf2-sha256","iterations":1000,"keyVersion":null}}');
  const row = onlyRow(dataSet, { ...clean(), createdBy: new ObjectId(USER), createdAt: T1_ISO, kdf: { name: 'pbkdf2-sha256', iterations: Long.fromNumber(1000) } });
  assert.deepEqual([row[6], row[8], row[9]], [VECTOR_ENVELOPE, USER, T1_ISO]);
});

test('optional fields missing or null are NULL; unknown fields and unknown kdf keys go to extra', () => {
  const { environmentId: _e, description: _d, updatedAt: _u, ...rest } = clean();
  assert.deepEqual(onlyRow(dataSet, { ...rest, type: null, createdBy: null }), [ID, ORG, null, 'DB_PASSWORD', null, null, VECTOR_ENVELOPE, ENCRYPTION, null, T1_ISO, null, null]);
  assert.deepEqual(refsOf(dataSet, rest), [`organization:${ORG}`]);
  const extra = onlyRow(dataSet, { ...clean(), kdf: { name: 'pbkdf2-sha256', iterations: new Int32(1000), hash: 'sha256' }, _class: 'Cred' })[11];
  assert.equal(extra, '{"kdf":{"hash":"sha256"},"_class":"Cred"}');
});

test('a wrong master password or an altered byte fails authentication, naming no secret', () => {
  const wrong = credentials({ credentials: { masterPassword: `${PASSWORD}!` } }, { targetKey: KEY });
  const isAuthFailure = (err: unknown): boolean => {
    assert.ok(isCredentialError(err) && err.reason === 'authentication' && err.field === 'ciphertext', String(err));
    assert.ok(!err.message.includes('s3cr3t') && !err.message.includes(PASSWORD));
    return true;
  };
  assert.throws(() => onlyRow(wrong, clean()), isAuthFailure);
  const altered = Buffer.from(VECTOR_CIPHERTEXT);
  altered[0] = (altered[0] ?? 0) ^ 1;
  assert.throws(() => onlyRow(dataSet, { ...clean(), ciphertext: new Binary(altered) }), isAuthFailure);
});

test('format errors name the field', () => {
  const formatError = (field: string) => (err: unknown) => isCredentialError(err) && err.reason === 'format' && transformErrorOn(field)(err);
  assert.throws(() => onlyRow(dataSet, { ...clean(), nonce: new Binary(Buffer.alloc(8)) }), formatError('nonce'));
  assert.throws(() => onlyRow(dataSet, { ...clean(), alg: 'AES-128-CBC' }), formatError('alg'));
  assert.throws(() => onlyRow(dataSet, { ...clean(), kdf: { name: 'pbkdf2-sha256', iterations: 'many' } }), formatError('kdf.iterations'));
  assert.throws(() => onlyRow(dataSet, { ...clean(), keyVersion: new Int32(2) }), formatError('keyVersion'));
  assert.throws(() => onlyRow(dataSet, { ...clean(), salt: undefined }), formatError('salt'));
  assert.throws(() => onlyRow(dataSet, { ...clean(), name: undefined }), transformErrorOn('name', /required/));
});

test('the target key is derived once per data set instance, lazily', () => {
  let derivations = 0;
  const lazy = credentials({
    credentials: {
      get masterPassword() {
        derivations++;
        return PASSWORD;
      },
    },
  });
  assert.equal(derivations, 0, 'building the data set derives nothing');
  onlyRow(lazy, clean());
  const afterFirst = derivations;
  assert.equal(afterFirst, 2, 'the first record reads it for the target root key and for its source key');
  onlyRow(lazy, clean());
  onlyRow(lazy, clean());
  // Per record the password is read for the source PBKDF2 (per-credential salt) only: once each.
  assert.equal(derivations - afterFirst, 2);
});
