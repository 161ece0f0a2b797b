/**
 * The master password must be at least 32 characters and must be the one the application
 * encrypted its credentials with: a sample of real source credentials (oldest, newest and from
 * the middle, so a password changed at some point is noticed) must pass authenticated
 * decryption. The password itself never appears in a result.
 */
import type { Document } from 'mongodb';
import { isCredentialError } from '../credentials/errors.js';
import { SOURCE_COLLECTION, decryptSourceSecret, readSourceSecret } from '../credentials/source-format.js';
import type { SourceDb } from '../source/source-db.js';
import { fail, pass, warn, type CheckResult } from './result.js';

export const MIN_MASTER_PASSWORD_LENGTH = 32;
/** Credentials decrypted per part of the collection (oldest, middle, newest). */
export const SAMPLE_PER_PART = 8;
const LISTED_IDS = 10;

/** Pure. Counted in characters (code points), as the original utility documents it. */
export function checkMasterPasswordLength(password: string): CheckResult {
  const length = [...password].length;
  if (length >= MIN_MASTER_PASSWORD_LENGTH) return pass('master-password-length', `the master password has at least ${MIN_MASTER_PASSWORD_LENGTH} characters`);
  return fail(
    'master-password-length',
    `the master password (CREDENTIALS_MASTER_PASSWORD) is too short: ${length} characters, at least ${MIN_MASTER_PASSWORD_LENGTH} are required`,
    { length, minimum: MIN_MASTER_PASSWORD_LENGTH },
  );
}

const PROJECTION = { _id: 1, ciphertext: 1, nonce: 1, salt: 1, alg: 1, kdf: 1, keyVersion: 1 };

/** Up to 3 × SAMPLE_PER_PART distinct documents: oldest, middle and newest by _id. */
export async function sampleCredentials(db: SourceDb): Promise<Document[]> {
  const collection = db.collection(SOURCE_COLLECTION);
  const read = async (options: { sort: Document; skip?: number }): Promise<Document[]> => {
    const cursor = collection.find({}, { projection: PROJECTION, limit: SAMPLE_PER_PART, ...options });
    const docs: Document[] = [];
    try {
      for await (const doc of cursor) docs.push(doc);
    } finally {
      await cursor.close();
    }
    return docs;
  };
  const total = await collection.estimatedDocumentCount();
  if (total === 0) return [];
  const parts = [await read({ sort: { _id: 1 } }), await read({ sort: { _id: -1 } })];
  if (total > 2 * SAMPLE_PER_PART) parts.push(await read({ sort: { _id: 1 }, skip: Math.floor(total / 2) - SAMPLE_PER_PART / 2 }));
  const seen = new Map<string, Document>();
  for (const doc of parts.flat()) seen.set(JSON.stringify(doc._id), doc);
  return [...seen.values()];
}

export interface SampleOutcome {
  sampled: number;
  decrypted: number;
  /** Authenticated decryption failed. */
  failedIds: string[];
  /** Not in the documented format; these fail as records during the migration. */
  unreadableIds: string[];
}

/** Pure apart from the CPU spent in the key derivation. */
export function decryptSample(docs: readonly Document[], masterPassword: string): SampleOutcome {
  const outcome: SampleOutcome = { sampled: docs.length, decrypted: 0, failedIds: [], unreadableIds: [] };
  for (const doc of docs) {
    const id = String(doc._id);
    try {
      decryptSourceSecret(readSourceSecret(doc), masterPassword).fill(0);
      outcome.decrypted++;
    } catch (err) {
      if (!isCredentialError(err)) throw err;
      (err.reason === 'authentication' ? outcome.failedIds : outcome.unreadableIds).push(id);
    }
  }
  return outcome;
}

const listed = (ids: readonly string[]): string => (ids.length > LISTED_IDS ? `${ids.slice(0, LISTED_IDS).join(', ')}, …` : ids.join(', '));

/** Pure: the verdict for a sample. Any authentication failure refuses the run. */
export function masterPasswordVerdict(o: SampleOutcome): CheckResult {
  const details = { sampled: o.sampled, decrypted: o.decrypted, failed: o.failedIds.length, unreadable: o.unreadableIds.length, failed_ids: o.failedIds.slice(0, LISTED_IDS), unreadable_ids: o.unreadableIds.slice(0, LISTED_IDS) };
  const readable = o.sampled - o.unreadableIds.length;
  if (o.failedIds.length > 0 && o.decrypted === 0) {
    return fail(
      'master-password',
      `the master password does not match the one the source credentials were encrypted with: ${o.failedIds.length} of ${readable} sampled credentials failed authenticated decryption. Set CREDENTIALS_MASTER_PASSWORD to the application's master password`,
      details,
    );
  }
  if (o.failedIds.length > 0) {
    return fail(
      'master-password',
      `${o.failedIds.length} of ${readable} sampled credentials failed authenticated decryption with this master password while ${o.decrypted} decrypted: some credentials were encrypted with another password or altered (ids: ${listed(o.failedIds)})`,
      details,
    );
  }
  if (o.sampled === 0) return warn('master-password', `the source has no credentials (collection "${SOURCE_COLLECTION}"), so the master password cannot be verified`, details);
  if (o.decrypted === 0) {
    return warn('master-password', `none of the ${o.sampled} sampled credentials is in the documented format, so the master password cannot be verified (ids: ${listed(o.unreadableIds)})`, details);
  }
  const unreadable = o.unreadableIds.length > 0 ? `; ${o.unreadableIds.length} not in the documented format will fail as records (ids: ${listed(o.unreadableIds)})` : '';
  return (o.unreadableIds.length > 0 ? warn : pass)('master-password', `the master password decrypts the source credentials (${o.decrypted} of ${o.sampled} sampled)${unreadable}`, details);
}

export async function checkMasterPassword(db: SourceDb, masterPassword: string): Promise<CheckResult> {
  return masterPasswordVerdict(decryptSample(await sampleCredentials(db), masterPassword));
}
