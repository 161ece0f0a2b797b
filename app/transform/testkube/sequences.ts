/**
 * `sequences` documents of one organisation/environment → execution_sequences rows (fact sheet §4).
 *
 * PostgreSQL keys a sequence by the bare workflow name and stores the last number issued
 * (UpsertAndIncrementExecutionSequence inserts 1 or adds 1). MongoDB's GetNextExecutionNumber for
 * workflow W reads, in this order: the `{_id: "tw-W"}` document; else a legacy `{name: "W"}`
 * document if its number is non-zero; else `{_id: "t-W"}`; else 0. The row for W carries that
 * value, raised to the highest execution number seen for W (a safeguard against stale or lost
 * sequence documents). No row when the result is 0: the first upsert then issues 1, as Mongo would.
 *
 * Every input document is accounted for: it either decides a row (`decisions`) or is listed in
 * `ignored` with a reason, so nothing is dropped silently.
 */
import type { Document } from 'mongodb';
import type { PgValue, TableRows } from '../../datasets/types.js';
import { EXECUTION_SEQUENCES_TABLE, VARCHAR } from './columns.js';
import { FieldProblem, toTransformError } from './problems.js';
import { bsonKind, decodeBool, decodeInt32 } from './scalars.js';
import { checkLength, checkText } from './text.js';

export const TESTKUBE_SEQUENCES_DATA_SET = 'testkube_execution_sequences';

export interface SequencesInput {
  /** Every document of the org/env's `sequences` collection, in natural order. */
  sequences: readonly Document[];
  /** Highest `number` of the executions of each workflow (by workflow.name). */
  maxExecutionNumbers: ReadonlyMap<string, number>;
  organizationId: string;
  environmentId: string;
}

export type SequenceSource = 'tw' | 'legacy' | 't' | 'executions';

export interface SequenceDecision {
  name: string;
  number: number;
  /** Where `number` came from; 'executions' when the executions' maximum was higher. */
  source: SequenceSource;
  /** The value Mongo's GetNextExecutionNumber would have started from (0 if none). */
  sequenceNumber: number;
  maxExecutionNumber: number;
  /** The `_id`s (hex for ObjectIds) of the documents that decided the value. */
  documentIds: string[];
}

export type IgnoredSequenceReason =
  /** A test suite sequence (`ts-…`, or legacy `istestsuite: true`); no workflow reads it. */
  | 'test-suite'
  /** Shadowed by a document earlier in Mongo's lookup order, so Mongo never reads it again. */
  | 'superseded'
  /** A second legacy document with the same name; Mongo's FindOne returns the first one. */
  | 'duplicate-legacy-name'
  /** Decides a 0 and no execution is numbered higher, so no row is needed. */
  | 'zero'
  /** Neither a `<type>-<name>` id nor a legacy `name` field. */
  | 'unrecognised';

export interface IgnoredSequence {
  id: string;
  reason: IgnoredSequenceReason;
}

export interface SequencesResult {
  table: TableRows;
  decisions: SequenceDecision[];
  ignored: IgnoredSequence[];
}

interface SequenceDoc {
  id: string;
  name: string;
  number: number;
}

function idText(doc: Document): string {
  const id: unknown = doc['_id'];
  if (typeof id === 'string') return id;
  // The collection is read with ObjectIDAsHexString in Testkube (§1b).
  if (bsonKind(id) === 'ObjectId') return (id as { toHexString(): string }).toHexString();
  return String(id);
}

/** See the module comment. Throws TransformError when a number or name cannot be stored. */
export function computeSequences(input: SequencesInput): SequencesResult {
  let current = '';
  try {
    const organizationId = checkLength(checkText(input.organizationId, 'organizationId'), VARCHAR.id, 'organizationId');
    const environmentId = checkLength(checkText(input.environmentId, 'environmentId'), VARCHAR.id, 'environmentId');
    const tw = new Map<string, SequenceDoc>();
    const t = new Map<string, SequenceDoc>();
    const legacy = new Map<string, SequenceDoc>();
    const ignored: IgnoredSequence[] = [];

    for (const doc of input.sequences) {
      const id = idText(doc);
      current = id;
      const rawId: unknown = doc['_id'];
      const name: unknown = doc['name'];
      const number = (): number => decodeInt32(doc['number'], `sequences[${JSON.stringify(id)}].number`);
      if (typeof rawId === 'string' && rawId.startsWith('tw-')) {
        tw.set(rawId.slice(3), { id, name: rawId.slice(3), number: number() });
      } else if (typeof rawId === 'string' && rawId.startsWith('t-')) {
        t.set(rawId.slice(2), { id, name: rawId.slice(2), number: number() });
      } else if (typeof rawId === 'string' && rawId.startsWith('ts-')) {
        ignored.push({ id, reason: 'test-suite' });
      } else if (typeof name === 'string') {
        // Legacy form {name, number, istestsuite}; test suites were named "ts-<name>".
        if (decodeBool(doc['istestsuite'], `sequences[${JSON.stringify(id)}].istestsuite`) || name.startsWith('ts-')) {
          ignored.push({ id, reason: 'test-suite' });
        } else if (legacy.has(name)) {
          ignored.push({ id, reason: 'duplicate-legacy-name' });
        } else {
          legacy.set(name, { id, name, number: number() });
        }
      } else {
        ignored.push({ id, reason: 'unrecognised' });
      }
    }

    const names = new Set<string>([...tw.keys(), ...legacy.keys(), ...t.keys(), ...input.maxExecutionNumbers.keys()]);
    const decisions: SequenceDecision[] = [];
    const rows: PgValue[][] = [];
    for (const name of [...names].sort()) {
      current = name;
      const chain = [tw.get(name), legacy.get(name), t.get(name)];
      // Mongo's order: tw- always wins; legacy only when non-zero; then t-.
      const decider = chain[0] ?? (chain[1] && chain[1].number !== 0 ? chain[1] : chain[2]);
      const sequenceNumber = decider?.number ?? 0;
      const maxExecutionNumber = input.maxExecutionNumbers.get(name) ?? 0;
      const number = Math.max(sequenceNumber, maxExecutionNumber);
      for (const doc of chain) {
        if (!doc || doc === decider) continue;
        // A zero legacy number is skipped by Mongo itself; anything else lost to an earlier document.
        const skippedAsZero = !chain[0] && doc === chain[1] && doc.number === 0;
        ignored.push({ id: doc.id, reason: skippedAsZero ? 'zero' : 'superseded' });
      }
      if (number === 0) {
        if (decider) ignored.push({ id: decider.id, reason: 'zero' });
        continue;
      }
      const checked = checkLength(checkText(name, 'name'), VARCHAR.name, 'name');
      decisions.push({
        name,
        number,
        source: maxExecutionNumber > sequenceNumber || !decider ? 'executions' : sourceOf(decider, tw, legacy),
        sequenceNumber,
        maxExecutionNumber,
        documentIds: decider ? [decider.id] : [],
      });
      rows.push([checked, number, organizationId, environmentId]);
    }
    return { table: { table: EXECUTION_SEQUENCES_TABLE.table, rows }, decisions, ignored };
  } catch (err) {
    if (err instanceof FieldProblem) throw toTransformError(err, TESTKUBE_SEQUENCES_DATA_SET, current);
    throw err;
  }
}

function sourceOf(doc: SequenceDoc, tw: Map<string, SequenceDoc>, legacy: Map<string, SequenceDoc>): SequenceSource {
  if (tw.get(doc.name) === doc) return 'tw';
  if (legacy.get(doc.name) === doc) return 'legacy';
  return 't';
}
