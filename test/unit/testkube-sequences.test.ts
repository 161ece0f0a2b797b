// `sequences` → execution_sequences: Mongo's lookup order, the executions safeguard, and an
// account of every document that does not become a row (fact sheet §4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Long, ObjectId } from 'mongodb';
import { TransformError } from '../../app/errors.js';
import { computeSequences, EXECUTION_SEQUENCES_TABLE, type SequencesInput } from '../../app/transform/testkube/index.js';

const oid = (n: number): ObjectId => new ObjectId(`65f0c0ffee0000000000${String(n).padStart(4, '0')}`);
const hex = (n: number): string => oid(n).toHexString();

function run(sequences: SequencesInput['sequences'], max: Record<string, number> = {}): ReturnType<typeof computeSequences> {
  return computeSequences({ sequences, maxExecutionNumbers: new Map(Object.entries(max)), organizationId: 'org', environmentId: 'env' });
}

test('one case per rule of GetNextExecutionNumber, with whole rows, sorted by name', () => {
  const result = run(
    [
      // a: tw- wins over a higher legacy number and a t- number
      { _id: 'tw-a', number: 5, executionType: 'tw' },
      { _id: oid(1), name: 'a', number: 50, istestsuite: false },
      { _id: 't-a', number: 70, executionType: 't' },
      // b: no tw-, legacy non-zero wins over t-
      { _id: oid(2), name: 'b', number: 8, istestsuite: false },
      { _id: 't-b', number: 3, executionType: 't' },
      // c: legacy is 0, so t- decides
      { _id: oid(3), name: 'c', number: 0, istestsuite: false },
      { _id: 't-c', number: 4, executionType: 't' },
      // d: t- alone still seeds the number a workflow "d" would continue from
      { _id: 't-d', number: 2, executionType: 't' },
      // e: tw- is behind the executions (stale): the executions' maximum wins
      { _id: 'tw-e', number: 3, executionType: 'tw' },
      // f: a tw- document left behind by DeleteByTestWorkflows' type bug, no executions left
      { _id: 'tw-f', number: 11, executionType: 'tw' },
    ],
    { a: 4, e: 9, g: 6 }, // g: executions only, no sequence document
  );
  assert.equal(result.table.table, EXECUTION_SEQUENCES_TABLE.table);
  assert.deepEqual(result.table.rows, [
    ['a', 5, 'org', 'env'],
    ['b', 8, 'org', 'env'],
    ['c', 4, 'org', 'env'],
    ['d', 2, 'org', 'env'],
    ['e', 9, 'org', 'env'],
    ['f', 11, 'org', 'env'],
    ['g', 6, 'org', 'env'],
  ]);
  assert.deepEqual(result.decisions, [
    { name: 'a', number: 5, source: 'tw', sequenceNumber: 5, maxExecutionNumber: 4, documentIds: ['tw-a'] },
    { name: 'b', number: 8, source: 'legacy', sequenceNumber: 8, maxExecutionNumber: 0, documentIds: [hex(2)] },
    { name: 'c', number: 4, source: 't', sequenceNumber: 4, maxExecutionNumber: 0, documentIds: ['t-c'] },
    { name: 'd', number: 2, source: 't', sequenceNumber: 2, maxExecutionNumber: 0, documentIds: ['t-d'] },
    { name: 'e', number: 9, source: 'executions', sequenceNumber: 3, maxExecutionNumber: 9, documentIds: ['tw-e'] },
    { name: 'f', number: 11, source: 'tw', sequenceNumber: 11, maxExecutionNumber: 0, documentIds: ['tw-f'] },
    { name: 'g', number: 6, source: 'executions', sequenceNumber: 0, maxExecutionNumber: 6, documentIds: [] },
  ]);
  assert.deepEqual(result.ignored, [
    { id: hex(1), reason: 'superseded' },
    { id: 't-a', reason: 'superseded' },
    { id: 't-b', reason: 'superseded' },
    { id: hex(3), reason: 'zero' },
  ]);
});

test('test suite sequences never become workflow rows: ts- ids, legacy istestsuite, legacy "ts-" names', () => {
  const result = run([
    { _id: 'ts-suite', number: 9, executionType: 'ts' },
    { _id: oid(4), name: 'ts-suite', number: 12, istestsuite: true },
    { _id: oid(5), name: 'ts-other', number: 1 },
  ]);
  assert.deepEqual(result.table.rows, []);
  assert.deepEqual(result.ignored, [
    { id: 'ts-suite', reason: 'test-suite' },
    { id: hex(4), reason: 'test-suite' },
    { id: hex(5), reason: 'test-suite' },
  ]);
});

test('every document is accounted for: zero, duplicate legacy names, unrecognised shapes', () => {
  const input = [
    { _id: 'tw-z', number: 0, executionType: 'tw' },
    { _id: oid(6), name: 'dup', number: 3 },
    { _id: oid(7), name: 'dup', number: 30 },
    { _id: 'something-else', number: 1 },
    { _id: oid(8), number: 1 },
  ];
  const result = run(input);
  assert.deepEqual(result.table.rows, [['dup', 3, 'org', 'env']]); // FindOne returns the first in natural order
  assert.deepEqual(result.ignored, [
    { id: hex(7), reason: 'duplicate-legacy-name' },
    { id: 'something-else', reason: 'unrecognised' },
    { id: hex(8), reason: 'unrecognised' },
    { id: 'tw-z', reason: 'zero' },
  ]);
  assert.equal(result.decisions.length + result.ignored.length, input.length);
});

test('numbers stored as Long or Double are read as int32; one that does not fit is a TransformError', () => {
  const result = run([
    { _id: 'tw-long', number: Long.fromNumber(21), executionType: 'tw' },
    { _id: 'tw-double', number: new Double(22), executionType: 'tw' },
  ]);
  assert.deepEqual(result.table.rows, [
    ['double', 22, 'org', 'env'],
    ['long', 21, 'org', 'env'],
  ]);
  assert.throws(
    () => run([{ _id: 'tw-huge', number: Long.fromString('4294967296'), executionType: 'tw' }]),
    (err: unknown) => err instanceof TransformError && err.field === 'sequences["tw-huge"].number' && err.context['reason'] === 'int32-range',
  );
});

test('workflow names longer than varchar(255) cannot be keys', () => {
  assert.throws(
    () => run([{ _id: `tw-${'n'.repeat(256)}`, number: 1, executionType: 'tw' }]),
    (err: unknown) => err instanceof TransformError && err.context['reason'] === 'too-long',
  );
});
