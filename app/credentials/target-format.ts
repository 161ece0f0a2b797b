/**
 * The TARGET credential format: how mongo2pg re-encrypts a credential secret for PostgreSQL
 * (documented in docs/credentials.md). One self-describing envelope stored in a bytea column:
 *
 *   byte 0        version, 0x01
 *   bytes 1..16   salt, 16 random bytes per row
 *   bytes 17..28  nonce, 12 random bytes
 *   bytes 29..    AES-256-GCM ciphertext, then its 16-byte tag
 *
 * root key = scrypt(masterPassword, "mongo2pg/credentials/v1", N=2^15, r=8, p=1), once per process
 * row key  = HKDF-SHA256(root key, salt, info "mongo2pg credential v1"), per row
 * AAD      = the 29 header bytes followed by the row id (UTF-8)
 *
 * The AAD binds the ciphertext to its row: copied into another row, it no longer decrypts. The
 * version byte is authenticated too, so an envelope cannot be reinterpreted under a later version.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scryptSync } from 'node:crypto';
import { inspect } from 'node:util';
import { CredentialError } from './errors.js';
import { decryptSourceSecret, type SourceSecret } from './source-format.js';

export const TARGET_VERSION = 1;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const HEADER_BYTES = 1 + SALT_BYTES + NONCE_BYTES;
/** Fixed: the work factor is spent once per process; per-row salts go into HKDF. */
const ROOT_SALT = Buffer.from('mongo2pg/credentials/v1', 'utf8');
const ROW_INFO = Buffer.from('mongo2pg credential v1', 'utf8');
export const TARGET_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

/**
 * The root key derived from the master password. Opaque: it never prints, serialises or logs
 * its bytes, so passing it around cannot leak it.
 */
export class TargetKey {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new RangeError(`target key must be ${KEY_BYTES} bytes`);
    this.#key = Buffer.from(key);
  }

  /** Per-row key. Internal to this module's functions. */
  rowKey(salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#key, salt, ROW_INFO, KEY_BYTES));
  }

  toJSON(): string {
    return '[TargetKey]';
  }

  toString(): string {
    return '[TargetKey]';
  }

  [inspect.custom](): string {
    return '[TargetKey]';
  }
}

/** Expensive on purpose (scrypt, ~100 ms, 32 MiB): call once per run and pass the key down. */
export function deriveTargetKey(masterPassword: string): TargetKey {
  const { N, r, p } = TARGET_SCRYPT;
  const key = scryptSync(Buffer.from(masterPassword, 'utf8'), ROOT_SALT, KEY_BYTES, { N, r, p, maxmem: 256 * N * r });
  return new TargetKey(key);
}

function aad(header: Buffer, rowId: string): Buffer {
  return Buffer.concat([header, Buffer.from(rowId, 'utf8')]);
}

export interface EncryptTargetOptions {
  /** Fixed salt/nonce for deterministic tests; default random. */
  salt?: Uint8Array;
  nonce?: Uint8Array;
}

/** Encrypts a plaintext secret for the target row `rowId` (the credential row's primary key). */
export function encryptForTarget(plaintext: Uint8Array | string, key: TargetKey, rowId: string, options: EncryptTargetOptions = {}): Buffer {
  const salt = Buffer.from(options.salt ?? randomBytes(SALT_BYTES));
  const nonce = Buffer.from(options.nonce ?? randomBytes(NONCE_BYTES));
  if (salt.length !== SALT_BYTES || nonce.length !== NONCE_BYTES) throw new RangeError(`salt must be ${SALT_BYTES} bytes and nonce ${NONCE_BYTES}`);
  const header = Buffer.concat([Buffer.of(TARGET_VERSION), salt, nonce]);
  const cipher = createCipheriv('aes-256-gcm', key.rowKey(salt), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(header, rowId));
  const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/** Authenticated decryption of a target envelope for row `rowId`. */
export function decryptTarget(envelope: Uint8Array, key: TargetKey, rowId: string): Buffer {
  const bytes = Buffer.from(envelope);
  if (bytes.length < HEADER_BYTES + TAG_BYTES) {
    throw new CredentialError('format', `envelope is shorter than ${HEADER_BYTES + TAG_BYTES} bytes`, { field: 'envelope' });
  }
  if (bytes[0] !== TARGET_VERSION) {
    throw new CredentialError('format', `unsupported envelope version ${bytes[0]} (expected ${TARGET_VERSION})`, { field: 'envelope' });
  }
  const header = bytes.subarray(0, HEADER_BYTES);
  const salt = bytes.subarray(1, 1 + SALT_BYTES);
  const nonce = bytes.subarray(1 + SALT_BYTES, HEADER_BYTES);
  const body = bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key.rowKey(salt), nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(header, rowId));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (err) {
    throw new CredentialError('authentication', 'authenticated decryption failed: wrong key, wrong row id, or the envelope was altered', { cause: err, field: 'envelope' });
  }
}

/**
 * Source secret → target envelope for row `rowId`. The plaintext exists only inside this call
 * and is zeroed before returning.
 */
export function reencryptForTarget(secret: SourceSecret, masterPassword: string, key: TargetKey, rowId: string, options: EncryptTargetOptions = {}): Buffer {
  const plaintext = decryptSourceSecret(secret, masterPassword);
  try {
    return encryptForTarget(plaintext, key, rowId, options);
  } finally {
    plaintext.fill(0);
  }
}

/**
 * What a credentials transform needs, with the master password and target key closed over, so
 * the transform gets a helper rather than the secret itself (see TransformContext.helpers).
 */
export interface CredentialReencryptor {
  reencrypt(secret: SourceSecret, rowId: string): Buffer;
}

export function credentialReencryptor(masterPassword: string, key: TargetKey = deriveTargetKey(masterPassword)): CredentialReencryptor {
  return { reencrypt: (secret, rowId) => reencryptForTarget(secret, masterPassword, key, rowId) };
}
