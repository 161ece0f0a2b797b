/**
 * The text that names a source record in error reports, the failure records and verification:
 * an ObjectId as its 24 hex digits, a string as itself, and every other type as canonical
 * Extended JSON v2 (`{"$date":{"$numberLong":"1893456000000"}}`, `{"$numberInt":"7"}`), so it
 * never depends on the process's time zone or locale and names one value exactly (issue 13, D13).
 */
import { BSON, ObjectId, type Document } from './bson.js';

export function recordIdText(id: unknown): string {
  if (typeof id === 'string') return id;
  if (id instanceof ObjectId) return id.toHexString();
  return BSON.EJSON.stringify(id as Document, { relaxed: false });
}

/** The `_id` a record id text stands for, when it is Extended JSON (else undefined). */
export function parseRecordIdText(text: string): unknown {
  if (!/^[[{"]|^(true|false|null)$/.test(text)) return undefined;
  try {
    return BSON.EJSON.parse(text, { relaxed: false });
  } catch {
    return undefined;
  }
}
