/**
 * Columns a transform does not reproduce: credentials are re-encrypted with a fresh random salt
 * and nonce on every transform, so a re-transformed row never equals the stored one byte for
 * byte. The verifier finds such columns itself, by transforming a data set's first records twice
 * and noting which values differ; they are then compared by an equivalence registered here (both
 * envelopes decrypt to the same secret for the same row), or else by presence only (NULL where
 * the transform gives NULL, a value where it gives one).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/load.js';
import { decryptTarget, deriveTargetKey, type TargetKey } from '../credentials/target-format.js';
import type { PgValue, TableRows } from '../datasets/types.js';
import { errorMessage } from '../errors.js';

/** Returns null when the stored value is equivalent to the expected one, else why not. */
export type Equivalence = (expected: PgValue, actual: string | null, row: ReadonlyMap<string, PgValue>) => string | null;

function byteaBytes(text: string): Buffer {
  return Buffer.from(text.replace(/^\\x/, ''), 'hex');
}

function sameSecret(key: () => TargetKey): Equivalence {
  return (expected, actual, row) => {
    if (expected === null || actual === null) return expected === actual ? null : `expected ${expected === null ? 'NULL' : 'an envelope'}, found ${actual === null ? 'NULL' : 'an envelope'}`;
    const rowId = row.get('id');
    if (typeof rowId !== 'string') return 'the row has no id to bind the envelope to';
    let want: Buffer | undefined;
    let got: Buffer | undefined;
    try {
      want = decryptTarget(byteaBytes(String(expected)), key(), rowId);
      try {
        got = decryptTarget(byteaBytes(actual), key(), rowId);
      } catch (err) {
        return `the stored envelope does not decrypt for row ${rowId}: ${errorMessage(err)}`;
      }
      return want.length === got.length && timingSafeEqual(want, got) ? null : 'the stored envelope decrypts to a different secret';
    } finally {
      want?.fill(0);
      got?.fill(0);
    }
  };
}

/** Equivalences by `table.column`. */
export function equivalences(config: Pick<Config, 'credentials'>): ReadonlyMap<string, Equivalence> {
  let key: TargetKey | undefined;
  const targetKey = (): TargetKey => (key ??= deriveTargetKey(config.credentials.masterPassword));
  return new Map([['credentials.secret_envelope', sameSecret(targetKey)]]);
}

/** Column indexes (by table) whose values differ between two transforms of the same record. */
export function differingColumns(first: readonly TableRows[], second: readonly TableRows[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const mark = (table: string, i: number): void => {
    const set = out.get(table) ?? new Set<number>();
    set.add(i);
    out.set(table, set);
  };
  first.forEach((part, p) => {
    const other = second[p];
    part.rows.forEach((row, r) => {
      const again = other?.table === part.table ? other.rows[r] : undefined;
      row.forEach((value, i) => {
        if (again === undefined || again[i] !== value) mark(part.table, i);
      });
    });
  });
  return out;
}
