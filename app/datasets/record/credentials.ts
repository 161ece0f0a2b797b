/**
 * credentials → credentials. Each secret is decrypted with the master password (source format)
 * and re-encrypted as the target envelope bound to its row id (app/credentials, docs/credentials.md).
 * The source ciphertext, nonce and salt are consumed, never copied. A credential that does not
 * decrypt fails its own record with a CredentialError (reason 'format' or 'authentication');
 * neither the secret nor key material ever appears in a row, an error or a log line.
 *
 * Built by a factory: the target root key (scrypt, ~100 ms) is derived once per data set
 * instance, on the first credential, so listing the registry costs nothing. The source key is
 * PBKDF2 over each credential's own salt, so that derivation is per record by design.
 */
import type { Document } from 'mongodb';
import type { Config } from '../../config/load.js';
import { readSourceSecret } from '../../credentials/source-format.js';
import { deriveTargetKey, reencryptForTarget, TARGET_VERSION, type EncryptTargetOptions, type TargetKey } from '../../credentials/target-format.js';
import { byteaHex, isDocument, objectIdKey, requireIdText, rowOf, toIdText } from '../../transform/record-values.js';
import { extraFields, requireText, toId, toJsonText, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, scopeRefs, table } from './define.js';

export const credentialColumns = ['id', 'organization_id', 'environment_id', 'name', 'type', 'description', 'secret_envelope', 'encryption', 'created_by', 'created_at', 'updated_at', 'extra'] as const;
const MAPPED = ['_id', 'organizationId', 'environmentId', 'name', 'type', 'description', 'ciphertext', 'nonce', 'salt', 'alg', 'kdf', 'keyVersion', 'createdBy', 'createdAt', 'updatedAt'];
const KDF_MAPPED = new Set(['name', 'iterations']);

export interface CredentialsOptions {
  /** A root key derived elsewhere (tests derive it once for many data set instances). */
  targetKey?: TargetKey;
  /** Fixed envelope salt/nonce per row, for deterministic tests only; production draws them at random. */
  envelopeRandomness?: (rowId: string) => EncryptTargetOptions;
}

/**
 * Non-secret provenance: target format version and the source's alg, kdf, iterations and
 * keyVersion as stored (left out when missing, null when null: "missing or null means 1").
 */
function provenance(doc: Document, secret: ReturnType<typeof readSourceSecret>): string {
  const source: Document = { alg: secret.alg, kdf: secret.kdf.name, iterations: secret.kdf.iterations };
  if (doc.keyVersion !== undefined) source.keyVersion = doc.keyVersion;
  return toJsonText({ target: TARGET_VERSION, source }, 'encryption');
}

/** Unmapped fields; unknown keys of `kdf` (split into `encryption`) go under `kdf`. */
function credentialExtra(doc: Document): string | null {
  const kdf: unknown = doc.kdf;
  const rest = isDocument(kdf) ? Object.fromEntries(Object.entries(kdf).filter(([k]) => !KDF_MAPPED.has(k))) : {};
  if (Object.keys(rest).length === 0) return extraFields(doc, new Set(MAPPED));
  return extraFields({ ...doc, kdf: rest }, new Set(MAPPED.filter((k) => k !== 'kdf')));
}

export function credentials(config: Pick<Config, 'credentials'>, options: CredentialsOptions = {}) {
  let key: TargetKey | undefined = options.targetKey;
  const targetKey = (): TargetKey => (key ??= deriveTargetKey(config.credentials.masterPassword));

  const credentialRow = (doc: Document) => {
    const id = objectIdKey(doc._id);
    const columns = {
      id,
      organization_id: requireIdText(doc.organizationId, 'organizationId'),
      environment_id: toIdText(doc.environmentId, 'environmentId'),
      name: requireText(doc.name, 'name'),
      type: toText(doc.type, 'type'),
      description: toText(doc.description, 'description'),
      created_by: toId(doc.createdBy, 'createdBy'),
      created_at: toTimestamp(doc.createdAt, 'createdAt'),
      updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
      extra: credentialExtra(doc),
    };
    // Last: the expensive part runs only for a record whose other fields map.
    const secret = readSourceSecret(doc);
    const envelope = reencryptForTarget(secret, config.credentials.masterPassword, targetKey(), id, options.envelopeRandomness?.(id) ?? {});
    return rowOf(credentialColumns, { ...columns, secret_envelope: byteaHex(envelope), encryption: provenance(doc, secret) });
  };

  return globalDataSet({
    name: 'credentials',
    tables: [table('credentials', credentialColumns)],
    dependsOn: ['organizations', 'environments'],
    transform: (doc) => [{ table: 'credentials', rows: [credentialRow(doc)] }],
    references: scopeRefs,
  });
}
