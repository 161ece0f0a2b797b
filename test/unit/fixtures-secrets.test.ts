import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BSON } from 'mongodb';
import { decryptSourceSecret, readSourceSecret } from '../../app/credentials/source-format.js';
import { sha256Hex } from '../fixtures/builders/common.js';
import { plannedDocuments } from '../fixtures/in-memory.js';
import { FIXTURE_MASTER_PASSWORD } from '../fixtures/options.js';

const docs = [...plannedDocuments({ seed: 4, orgs: 2, recordsPerScope: 6, messiness: 0.5, usageRecords: 0, auditEvents: 0, applicationAuditEvents: 0, events: 0, reportingData: 0, executionsPerEnv: 0 })];

test('fixture credentials decrypt with the master password, Binary and legacy base64 alike', () => {
  const credentials = docs.filter((d) => d.dataSet === 'credentials');
  assert.ok(credentials.length > 10);
  let legacy = 0;
  for (const { built } of credentials) {
    if (typeof built.doc.ciphertext === 'string') legacy++;
    const secret = readSourceSecret(built.doc);
    assert.match(decryptSourceSecret(secret, FIXTURE_MASTER_PASSWORD).toString('utf8'), /^secret-[0-9a-f]{24}$/);
    assert.throws(() => decryptSourceSecret(secret, `${FIXTURE_MASTER_PASSWORD}x`));
  }
  assert.ok(legacy > 0, 'some legacy (base64) credentials');
});

test('a different master password option encrypts differently', () => {
  const other = 'another-master-password-0123456789abcdef';
  const first = [...plannedDocuments({ seed: 4, orgs: 1, credentialsMasterPassword: other, executionsPerEnv: 0 })].find((d) => d.dataSet === 'credentials');
  assert.ok(first !== undefined);
  assert.match(decryptSourceSecret(readSourceSecret(first.built.doc), other).toString('utf8'), /^secret-/);
});

test('tokens are stored as SHA-256 hashes; only legacy documents hold a plaintext token', () => {
  for (const dataSet of ['tokens', 'invites', 'ai_mcp_server_tokens'] as const) {
    for (const { built } of docs.filter((d) => d.dataSet === dataSet)) {
      const legacy = built.messy.includes('legacy-shape');
      if (legacy) {
        assert.equal(typeof built.doc.token, 'string');
        assert.ok(!('tokenHash' in built.doc));
      } else {
        assert.match(built.doc.tokenHash as string, /^[0-9a-f]{64}$/);
        assert.ok(!('token' in built.doc));
      }
    }
  }
  const text = BSON.EJSON.stringify(docs.filter((d) => !d.built.messy.includes('legacy-shape')).map((d) => d.built.doc));
  assert.doesNotMatch(text, /tkc(api|inv|mcp)_[0-9a-f]{32,}/);
});

test('a legacy token hashes to the same form a current one stores', () => {
  const legacy = docs.find((d) => d.dataSet === 'tokens' && d.built.messy.includes('legacy-shape'));
  assert.ok(legacy !== undefined);
  assert.match(sha256Hex(legacy.built.doc.token as string), /^[0-9a-f]{64}$/);
});
