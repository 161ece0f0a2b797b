import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Binary, Int32 } from 'mongodb';
import { CredentialError } from '../../app/credentials/errors.js';
import {
  decryptSourceSecret,
  encryptSourceSecret,
  readSourceSecret,
  sourceSecretFields,
  type SourceSecret,
} from '../../app/credentials/source-format.js';

const PASSWORD = 'source-master-password-0123456789abcdef';
const FAST = { iterations: 1000 };

function failure(fn: () => unknown): CredentialError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CredentialError, `expected CredentialError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a CredentialError');
}

test('a secret round-trips through encryptSourceSecret and decryptSourceSecret', () => {
  const secret = encryptSourceSecret('s3cr3t-value ✓', PASSWORD, FAST);
  assert.equal(decryptSourceSecret(secret, PASSWORD).toString('utf8'), 's3cr3t-value ✓');
  assert.equal(secret.salt.length, 16);
  assert.equal(secret.nonce.length, 12);
  assert.equal(secret.ciphertext.length, Buffer.byteLength('s3cr3t-value ✓') + 16);
});

test('fixed salt and nonce give the same bytes (seeded test data)', () => {
  const options = { ...FAST, salt: Buffer.alloc(16, 1), nonce: Buffer.alloc(12, 2) };
  assert.deepEqual(encryptSourceSecret('x', PASSWORD, options).ciphertext, encryptSourceSecret('x', PASSWORD, options).ciphertext);
});

test('matches an independent PBKDF2-SHA256 + AES-256-GCM computation (known vector)', async () => {
  const { createCipheriv, pbkdf2Sync } = await import('node:crypto');
  const salt = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  const nonce = Buffer.from('a0a1a2a3a4a5a6a7a8a9aaab', 'hex');
  const key = pbkdf2Sync(PASSWORD, salt, 1000, 32, 'sha256');
  const c = createCipheriv('aes-256-gcm', key, nonce);
  const expected = Buffer.concat([c.update('hello'), c.final(), c.getAuthTag()]);
  assert.deepEqual(encryptSourceSecret('hello', PASSWORD, { iterations: 1000, salt, nonce }).ciphertext, expected);
});

test('a wrong master password fails authenticated decryption', () => {
  const secret = encryptSourceSecret('value', PASSWORD, FAST);
  const err = failure(() => decryptSourceSecret(secret, `${PASSWORD}x`));
  assert.equal(err.reason, 'authentication');
  assert.equal(err.code, 'TRANSFORM');
  assert.ok(!err.message.includes(PASSWORD));
});

test('any altered byte fails authenticated decryption', () => {
  const secret = encryptSourceSecret('value', PASSWORD, FAST);
  for (const field of ['ciphertext', 'nonce', 'salt'] as const) {
    const bytes = Buffer.from(secret[field]);
    bytes[0] = (bytes[0] as number) ^ 1;
    const altered: SourceSecret = { ...secret, [field]: bytes };
    assert.equal(failure(() => decryptSourceSecret(altered, PASSWORD)).reason, 'authentication', field);
  }
});

test('readSourceSecret reads the document fields the application writes', () => {
  const secret = encryptSourceSecret('from-a-document', PASSWORD, FAST);
  const doc = { _id: 'c1', name: 'API_TOKEN', ...sourceSecretFields(secret) };
  assert.ok(doc.ciphertext instanceof Binary);
  assert.equal(decryptSourceSecret(readSourceSecret(doc), PASSWORD).toString(), 'from-a-document');
});

test('readSourceSecret reads legacy base64 strings and BSON number wrappers', () => {
  const secret = encryptSourceSecret('legacy', PASSWORD, FAST);
  const doc = {
    ciphertext: secret.ciphertext.toString('base64'),
    nonce: secret.nonce.toString('base64'),
    salt: secret.salt.toString('base64'),
    alg: 'AES-256-GCM',
    kdf: { name: 'pbkdf2-sha256', iterations: new Int32(1000) },
    keyVersion: new Int32(1),
  };
  assert.equal(decryptSourceSecret(readSourceSecret(doc), PASSWORD).toString(), 'legacy');
});

test('readSourceSecret refuses documents not in the format, naming the field', () => {
  const good = sourceSecretFields(encryptSourceSecret('v', PASSWORD, FAST));
  const cases: Array<[string, Record<string, unknown>]> = [
    ['alg', { ...good, alg: 'AES-128-CBC' }],
    ['kdf', { ...good, kdf: { name: 'md5', iterations: 1 } }],
    ['kdf.iterations', { ...good, kdf: { name: 'pbkdf2-sha256', iterations: 1.5 } }],
    ['kdf.iterations', { ...good, kdf: { name: 'pbkdf2-sha256', iterations: 1e9 } }],
    ['keyVersion', { ...good, keyVersion: 2 }],
    ['salt', { ...good, salt: new Binary(Buffer.alloc(8)) }],
    ['nonce', { ...good, nonce: 'not base64!' }],
    ['ciphertext', { ...good, ciphertext: undefined }],
    ['ciphertext', { ...good, ciphertext: new Binary(Buffer.alloc(4)) }],
    ['ciphertext', { ...good, ciphertext: new Binary(Buffer.alloc(32), Binary.SUBTYPE_UUID) }],
  ];
  for (const [field, doc] of cases) {
    const err = failure(() => readSourceSecret(doc));
    assert.equal(err.reason, 'format', field);
    assert.equal(err.field, field);
  }
});
