/**
 * Deterministic ids for rows whose PostgreSQL id is a uuid with a gen_random_uuid() default.
 * Testkube lets the database pick them (fact sheet §3); any uuid works because nothing outside
 * the row references them, except signature parent_id. Deriving them from the execution id,
 * the table and the row's position (RFC 4122 name-based, version 5, SHA-1) means a re-run or a
 * verification pass produces byte-identical rows.
 */
import { createHash } from 'node:crypto';

/** Namespace of all mongo2pg Testkube row ids (a fixed random v4 uuid). */
export const TESTKUBE_ID_NAMESPACE = '4d5bda41-7a2e-45e1-a19e-804bd8d94a25';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of one child row: `discriminator` is the 1-based order, or the workflow_type. */
export function rowId(table: string, executionId: string, discriminator: number | string): string {
  return uuidV5(TESTKUBE_ID_NAMESPACE, `${table}\u0000${executionId}\u0000${discriminator}`);
}
