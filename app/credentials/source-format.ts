/**
 * The SOURCE credential format: how the application stored credential secrets in MongoDB
 * (documented in docs/credentials.md). Each `credentials` document carries, at top level:
 *
 *   alg:        'AES-256-GCM'
 *   kdf:        { name: 'pbkdf2-sha256', iterations: <int> }
 *   salt:       Binary, 16 bytes, random per credential
 *   nonce:      Binary, 12 bytes, random per encryption
 *   ciphertext: Binary, AES-256-GCM output followed by its 16-byte tag
 *   keyVersion: optional, 1
 *
 * key = PBKDF2-HMAC-SHA256(masterPassword as UTF-8, salt, iterations, 32 bytes); no AAD.
 * Older documents hold salt, nonce and ciphertext as base64 strings instead of Binary; both are
 * read. Everything here is pure apart from drawing random salt/nonce when none are given.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Binary, type Document } from '../source/bson.js';
import { CredentialError } from './errors.js';

export const SOURCE_ALG = 'AES-256-GCM';
export const SOURCE_KDF = 'pbkdf2-sha256';
export const SOURCE_KEY_VERSION = 1;
/** The collection the application keeps credentials in. */
export const SOURCE_COLLECTION = 'credentials';
/** What the application uses for new credentials (OWASP 2023 guidance for PBKDF2-HMAC-SHA256). */
export const DEFAULT_SOURCE_ITERATIONS = 600_000;
/** A stored iteration count above this is treated as corrupt rather than spending minutes on it. */
export const MAX_SOURCE_ITERATIONS = 10_000_000;
export const SALT_BYTES = 16;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** The encrypted secret of one source credential, decoded from its document. */
export interface SourceSecret {
  alg: typeof SOURCE_ALG;
  kdf: { name: typeof SOURCE_KDF; iterations: number };
  salt: Buffer;
  nonce: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  ciphertext: Buffer;
  keyVersion: number;
}

export interface EncryptSourceOptions {
  /** Defaults to DEFAULT_SOURCE_ITERATIONS; test data uses a small count to stay fast. */
  iterations?: number;
  /** Fixed salt/nonce make the output deterministic (seeded test data); default random. */
  salt?: Uint8Array;
  nonce?: Uint8Array;
}

function sourceKey(masterPassword: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(masterPassword, 'utf8'), salt, iterations, KEY_BYTES, 'sha256');
}

/** Encrypts a secret the way the application does. Used by the test-data generator and tests. */
export function encryptSourceSecret(plaintext: string | Uint8Array, masterPassword: string, options: EncryptSourceOptions = {}): SourceSecret {
  const iterations = options.iterations ?? DEFAULT_SOURCE_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_SOURCE_ITERATIONS) {
    throw new RangeError(`iterations must be a whole number from 1 to ${MAX_SOURCE_ITERATIONS}`);
  }
  const salt = Buffer.from(options.salt ?? randomBytes(SALT_BYTES));
  const nonce = Buffer.from(options.nonce ?? randomBytes(NONCE_BYTES));
  if (salt.length !== SALT_BYTES) throw new RangeError(`salt must be ${SALT_BYTES} bytes`);
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`);
  const cipher = createCipheriv('aes-256-gcm', sourceKey(masterPassword, salt, iterations), nonce, { authTagLength: TAG_BYTES });
  const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
  return {
    alg: SOURCE_ALG,
    kdf: { name: SOURCE_KDF, iterations },
    salt,
    nonce,
    ciphertext: Buffer.concat([body, cipher.getAuthTag()]),
    keyVersion: SOURCE_KEY_VERSION,
  };
}

/**
 * Authenticated decryption. Throws CredentialError('authentication') when the master password is
 * wrong or any stored byte was altered; GCM gives no partial or garbled plaintext.
 */
export function decryptSourceSecret(secret: SourceSecret, masterPassword: string): Buffer {
  if (secret.ciphertext.length < TAG_BYTES) {
    throw new CredentialError('format', `ciphertext is shorter than the ${TAG_BYTES}-byte tag`, { field: 'ciphertext' });
  }
  const body = secret.ciphertext.subarray(0, secret.ciphertext.length - TAG_BYTES);
  const tag = secret.ciphertext.subarray(secret.ciphertext.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', sourceKey(masterPassword, secret.salt, secret.kdf.iterations), secret.nonce, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (err) {
    throw new CredentialError('authentication', 'authenticated decryption failed: the master password does not match or the ciphertext was altered', { cause: err, field: 'ciphertext' });
  }
}

export interface SourceSecretFields {
  ciphertext: Binary;
  nonce: Binary;
  salt: Binary;
  alg: string;
  kdf: { name: string; iterations: number };
  keyVersion: number;
}

/** The document fields for a secret, as the application writes them. */
export function sourceSecretFields(secret: SourceSecret): SourceSecretFields {
  return {
    ciphertext: new Binary(secret.ciphertext),
    nonce: new Binary(secret.nonce),
    salt: new Binary(secret.salt),
    alg: secret.alg,
    kdf: { name: secret.kdf.name, iterations: secret.kdf.iterations },
    keyVersion: secret.keyVersion,
  };
}

/** By BSON type tag, so documents built with either bson build are recognised (dual-package hazard). */
function isBinary(value: unknown): value is Binary {
  return value !== null && typeof value === 'object' && (value as { _bsontype?: unknown })._bsontype === 'Binary';
}

function bytesField(doc: Document, field: string, length?: number): Buffer {
  const value: unknown = doc[field];
  let bytes: Buffer;
  if (isBinary(value) && value.sub_type === Binary.SUBTYPE_DEFAULT) {
    bytes = Buffer.from(value.buffer.subarray(0, value.position));
  } else if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0) {
    bytes = Buffer.from(value, 'base64');
  } else {
    throw new CredentialError('format', `must be BSON binary (subtype 0) or a base64 string (got ${value === null ? 'null' : typeof value})`, { field });
  }
  if (length !== undefined && bytes.length !== length) {
    throw new CredentialError('format', `must be ${length} bytes (got ${bytes.length})`, { field });
  }
  return bytes;
}

function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  // Int32/Long/Double wrappers when the driver does not promote values.
  if (value !== null && typeof value === 'object' && 'valueOf' in value) {
    const n = Number((value as { valueOf(): unknown }).valueOf());
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** Reads and checks the secret fields of a source `credentials` document. Pure. */
export function readSourceSecret(doc: Document): SourceSecret {
  if (doc.alg !== SOURCE_ALG) {
    throw new CredentialError('format', `unsupported algorithm (expected "${SOURCE_ALG}")`, { field: 'alg' });
  }
  const kdf: unknown = doc.kdf;
  if (kdf === null || typeof kdf !== 'object' || (kdf as Document).name !== SOURCE_KDF) {
    throw new CredentialError('format', `unsupported key derivation (expected { name: "${SOURCE_KDF}", iterations })`, { field: 'kdf' });
  }
  const iterations = integerOf((kdf as Document).iterations);
  if (iterations === undefined || iterations < 1 || iterations > MAX_SOURCE_ITERATIONS) {
    throw new CredentialError('format', `iterations must be a whole number from 1 to ${MAX_SOURCE_ITERATIONS}`, { field: 'kdf.iterations' });
  }
  const keyVersion = doc.keyVersion === undefined || doc.keyVersion === null ? SOURCE_KEY_VERSION : integerOf(doc.keyVersion);
  if (keyVersion !== SOURCE_KEY_VERSION) {
    throw new CredentialError('format', `unsupported key version (expected ${SOURCE_KEY_VERSION})`, { field: 'keyVersion' });
  }
  const ciphertext = bytesField(doc, 'ciphertext');
  if (ciphertext.length < TAG_BYTES) {
    throw new CredentialError('format', `is shorter than the ${TAG_BYTES}-byte tag`, { field: 'ciphertext' });
  }
  return {
    alg: SOURCE_ALG,
    kdf: { name: SOURCE_KDF, iterations },
    salt: bytesField(doc, 'salt', SALT_BYTES),
    nonce: bytesField(doc, 'nonce', NONCE_BYTES),
    ciphertext,
    keyVersion,
  };
}
