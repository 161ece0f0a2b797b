import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { CredentialError } from '../../app/credentials/errors.js';
import { encryptSourceSecret } from '../../app/credentials/source-format.js';
import {
  credentialReencryptor,
  decryptTarget,
  deriveTargetKey,
  encryptForTarget,
  reencryptForTarget,
} from '../../app/credentials/target-format.js';

const PASSWORD = 'target-master-password-0123456789abcdef';
const key = deriveTargetKey(PASSWORD);

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CredentialError);
    return err.reason;
  }
  assert.fail('expected a CredentialError');
}

test('a source credential is re-encrypted into a v1 envelope that decrypts for its row', () => {
  const source = encryptSourceSecret('token-123', PASSWORD, { iterations: 1000 });
  const envelope = reencryptForTarget(source, PASSWORD, key, 'cred-1');
  assert.equal(envelope[0], 1);
  assert.equal(envelope.length, 1 + 16 + 12 + 'token-123'.length + 16);
  assert.equal(decryptTarget(envelope, key, 'cred-1').toString('utf8'), 'token-123');
});

test('the envelope is bound to its row id (AAD)', () => {
  const envelope = encryptForTarget('value', key, 'cred-1');
  assert.equal(reason(() => decryptTarget(envelope, key, 'cred-2')), 'authentication');
});

test('another master password cannot decrypt the envelope', () => {
  const envelope = encryptForTarget('value', key, 'cred-1');
  assert.equal(reason(() => decryptTarget(envelope, deriveTargetKey(`${PASSWORD}!`), 'cred-1')), 'authentication');
});

test('every altered byte, header included, fails authentication', () => {
  const envelope = encryptForTarget('value', key, 'cred-1');
  for (let i = 1; i < envelope.length; i++) {
    const altered = Buffer.from(envelope);
    altered[i] = (altered[i] as number) ^ 0x80;
    assert.equal(reason(() => decryptTarget(altered, key, 'cred-1')), 'authentication', `byte ${i}`);
  }
});

test('unknown versions and truncated envelopes are format errors', () => {
  const envelope = encryptForTarget('value', key, 'cred-1');
  const v2 = Buffer.from(envelope);
  v2[0] = 2;
  assert.equal(reason(() => decryptTarget(v2, key, 'cred-1')), 'format');
  assert.equal(reason(() => decryptTarget(envelope.subarray(0, 40), key, 'cred-1')), 'format');
});

test('fresh salt and nonce per row: the same secret never gives the same bytes', () => {
  assert.notDeepEqual(encryptForTarget('same', key, 'r'), encryptForTarget('same', key, 'r'));
});

test('a wrong source password is an authentication failure during re-encryption', () => {
  const source = encryptSourceSecret('token', PASSWORD, { iterations: 1000 });
  assert.equal(reason(() => reencryptForTarget(source, `x${PASSWORD}`, key, 'r')), 'authentication');
});

test('the target key never prints its bytes; the reencryptor hides the password', () => {
  assert.equal(JSON.stringify({ key }), '{"key":"[TargetKey]"}');
  assert.equal(inspect(key), '[TargetKey]');
  assert.equal(String(key), '[TargetKey]');
  const reencryptor = credentialReencryptor(PASSWORD, key);
  assert.ok(!inspect(reencryptor, { depth: 5 }).includes(PASSWORD));
  const source = encryptSourceSecret('abc', PASSWORD, { iterations: 1000 });
  assert.equal(decryptTarget(reencryptor.reencrypt(source, 'row'), key, 'row').toString(), 'abc');
});

test('matches an independent scrypt → HKDF-SHA256 → AES-256-GCM computation (known vector)', async () => {
  const { createCipheriv, hkdfSync, scryptSync } = await import('node:crypto');
  const salt = Buffer.alloc(16, 0x11);
  const nonce = Buffer.alloc(12, 0x22);
  const root = scryptSync(PASSWORD, 'mongo2pg/credentials/v1', 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  const rowKey = Buffer.from(hkdfSync('sha256', root, salt, 'mongo2pg credential v1', 32));
  const header = Buffer.concat([Buffer.of(1), salt, nonce]);
  const c = createCipheriv('aes-256-gcm', rowKey, nonce);
  c.setAAD(Buffer.concat([header, Buffer.from('row-42')]));
  const expected = Buffer.concat([header, c.update('secret'), c.final(), c.getAuthTag()]);
  assert.deepEqual(encryptForTarget('secret', key, 'row-42', { salt, nonce }), expected);
});

test('the test vectors in docs/credentials.md are what the code produces', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(new URL('../../docs/credentials.md', import.meta.url), 'utf8');
  const password = 'correct horse battery staple 0123456789';
  const envelope = encryptForTarget('s3cr3t', deriveTargetKey(password), '64b7f0c2e4b0a1a2b3c4d5e6', { salt: Buffer.alloc(16, 0x11), nonce: Buffer.alloc(12, 0x22) });
  assert.ok(doc.includes(`\n${envelope.toString('hex')}\n`), 'target vector');
  const source = encryptSourceSecret('s3cr3t', password, { iterations: 1000, salt: Buffer.alloc(16, 0x33), nonce: Buffer.alloc(12, 0x44) });
  assert.ok(doc.includes(`\`ciphertext\` = \`${source.ciphertext.toString('hex')}\``), 'source vector');
});
