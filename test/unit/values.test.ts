import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Binary, BSONRegExp, Code, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } from 'mongodb';
import { TransformError } from '../../app/errors.js';
import {
  extraFields, formatIsoTimestamp, isoTimestamp, requireText, toBool, toInteger, toJsonb, toJsonText, toNumericText, toText, toTimestamp,
} from '../../app/transform/values.js';

test('text: NUL characters and lone surrogates fail the record, naming the field', () => {
  assert.throws(() => toText('a\u0000b', 'name'), (err: unknown) => err instanceof TransformError && /^name: contains a NUL/.test(err.message));
  assert.throws(() => toText('x\uD800y', 'name'), /lone UTF-16 surrogate/);
  assert.equal(toText('héllo 👋', 'name'), 'héllo 👋');
});

test('text: null and missing are SQL NULL; required text refuses them', () => {
  assert.equal(toText(null, 'f'), null);
  assert.equal(toText(undefined, 'f'), null);
  assert.throws(() => requireText(undefined, 'f'), /required but missing/);
  assert.equal(requireText('', 'f'), '');
});

test('text: length limits count characters and are enforced, never truncated', () => {
  assert.equal(toText('abc', 'f', { maxLength: 3 }), 'abc');
  assert.throws(() => toText('abcd', 'f', { maxLength: 3 }), /4 characters long, longer than the column's 3/);
});

test('numeric: exact decimal text from every numeric BSON type and from numeric strings', () => {
  assert.equal(toNumericText(Decimal128.fromString('1234567890123456789012345678901.234'), 'v'), '1234567890123456789012345678901.234');
  assert.equal(toNumericText(Long.fromString('9223372036854775807'), 'v'), '9223372036854775807');
  assert.equal(toNumericText(new Int32(-5), 'v'), '-5');
  assert.equal(toNumericText(new Double(2.5), 'v'), '2.5');
  assert.equal(toNumericText(' 42.50 ', 'v'), '42.50');
  assert.equal(toNumericText(-0, 'v'), '-0');
});

test('numeric: non-numbers and non-finite values fail instead of becoming NULL or 0', () => {
  assert.throws(() => toNumericText('12abc', 'v'), /expected a number, got the string "12abc"/);
  assert.throws(() => toNumericText(NaN, 'v'), /NaN/);
  assert.throws(() => toNumericText(Decimal128.fromString('Infinity'), 'v'), /Infinity/);
  assert.throws(() => toNumericText(true, 'v'), /got boolean/);
});

test('integers must fit their column exactly', () => {
  assert.equal(toInteger('2147483647', 'n'), 2147483647);
  assert.throws(() => toInteger('2147483648', 'n'), /does not fit a 32-bit/);
  assert.equal(toInteger(Long.fromString('9007199254740993'), 'n', 64), '9007199254740993');
  assert.throws(() => toInteger(1.5, 'n'), /whole number/);
});

test('booleans: real booleans and the strings "true"/"false" only', () => {
  assert.equal(toBool('true', 'b'), true);
  assert.equal(toBool(false, 'b'), false);
  assert.equal(toBool(null, 'b'), null);
  assert.throws(() => toBool('yes', 'b'), /expected a boolean/);
  assert.throws(() => toBool(1, 'b'), /expected a boolean/);
});

test('timestamps: milliseconds kept, year 1 and BC years formatted for PostgreSQL, invalid dates refused', () => {
  assert.equal(toTimestamp(new Date('2024-02-29T23:59:59.999Z'), 't'), '2024-02-29T23:59:59.999Z');
  assert.equal(toTimestamp(new Date(-62135596800000), 't'), '0001-01-01T00:00:00.000Z');
  assert.equal(formatIsoTimestamp(new Date(Date.UTC(-100, 0, 1))), '0101-01-01T00:00:00.000+00 BC');
  assert.equal(formatIsoTimestamp(new Date(Date.UTC(12345, 5, 6))), '12345-06-06T00:00:00.000Z');
  assert.throws(() => toTimestamp(new Date(NaN), 't'), /outside the range/);
  assert.throws(() => toTimestamp(new Date(Date.UTC(-5000, 0, 1)), 't'), /before PostgreSQL's earliest/);
  assert.throws(() => toTimestamp(12345, 't'), /expected a date/);
});

test('jsonb: Relaxed Extended JSON for types JSON cannot express', () => {
  const oid = new ObjectId('65a1b2c3d4e5f60718293a4b');
  const value = {
    oid,
    date: new Date('2024-01-01T00:00:00.000Z'),
    old: new Date(-62135596800000),
    dec: Decimal128.fromString('0.1'),
    small: Long.fromNumber(42),
    big: Long.fromString('9223372036854775807'),
    i: new Int32(7),
    negZero: -0,
    inf: Infinity,
    bin: new Binary(Buffer.from([1, 2, 3]), 0),
    uuid: new UUID('0f8fad5b-d9cb-469f-a165-70867728950e'),
    ts: new Timestamp({ t: 10, i: 2 }),
    re: new BSONRegExp('^a', 'i'),
    code: new Code('function(){}'),
    min: new MinKey(),
    max: new MaxKey(),
    nested: { arr: [1, 'two', null, { three: true }] },
  };
  assert.deepEqual(JSON.parse(toJsonText(value, 'doc')), {
    oid: { $oid: '65a1b2c3d4e5f60718293a4b' },
    date: { $date: '2024-01-01T00:00:00.000Z' },
    old: { $date: { $numberLong: '-62135596800000' } },
    dec: { $numberDecimal: '0.1' },
    small: 42,
    big: { $numberLong: '9223372036854775807' },
    i: 7,
    negZero: { $numberDouble: '-0.0' },
    inf: { $numberDouble: 'Infinity' },
    bin: { $binary: { base64: 'AQID', subType: '00' } },
    uuid: { $binary: { base64: 'D4+tW9nLRp+hZXCGdyiVDg==', subType: '04' } },
    ts: { $timestamp: { t: 10, i: 2 } },
    re: { $regularExpression: { pattern: '^a', options: 'i' } },
    code: { $code: 'function(){}' },
    min: { $minKey: 1 },
    max: { $maxKey: 1 },
    nested: { arr: [1, 'two', null, { three: true }] },
  });
});

test('jsonb: NUL in a nested value or key fails with the path', () => {
  assert.throws(() => toJsonb({ a: { b: ['ok', 'x\u0000'] } }, 'labels'), /labels\.a\.b\[1\]: contains a NUL/);
  assert.throws(() => toJsonb({ 'k\u0000': 1 }, 'labels'), /labels key: contains a NUL/);
  assert.equal(toJsonb(null, 'labels'), null);
  assert.equal(toJsonb({}, 'labels'), '{}');
});

test('extra fields keep every unmapped top-level field', () => {
  assert.equal(extraFields({ _id: 1, name: 'a' }, new Set(['_id', 'name'])), null);
  assert.equal(extraFields({ _id: 1, name: 'a', legacy: { x: null }, n: Long.fromString('12345678901234567890'.slice(0, 19)) }, new Set(['_id', 'name'])),
    '{"legacy":{"x":null},"n":{"$numberLong":"1234567890123456789"}}');
});

test('a BSON Timestamp (a Long subclass) is not taken for a number', () => {
  assert.throws(() => toNumericText(new Timestamp({ t: 1, i: 1 }), 'v'), /got Timestamp/);
});

test('a BSON regular expression keeps pattern and options; a JavaScript RegExp is not a source value and is refused', () => {
  assert.equal(toJsonText(new BSONRegExp('^a.b$', 'im'), 'f'), '{"$regularExpression":{"pattern":"^a.b$","options":"im"}}');
  assert.throws(() => toJsonText(/^a.b$/im, 'f'), /f: has an unsupported value of type RegExp/);
});

test('objects that are not plain documents are refused, not written as {}', () => {
  assert.throws(() => toJsonText(new Map([['a', 1]]), 'f'), /f: has an unsupported value of type Map/);
});

test('the fast ISO timestamp equals Date#toISOString for every year 1..9999, across days and in any order', () => {
  const min = Date.UTC(1, 0, 1) - 1;
  const edges = [Date.UTC(1, 0, 1), Date.UTC(1969, 11, 31, 23, 59, 59, 999), 0, -1, 1, Date.UTC(2000, 1, 29, 12), Date.UTC(2024, 11, 31, 23, 59, 59, 999), Date.UTC(9999, 11, 31, 23, 59, 59, 999)];
  // A fixed linear congruential sequence: reproducible, and jumping between days so the cached day changes.
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const span = Date.UTC(9999, 11, 31, 23, 59, 59, 999) - min;
  const samples = [...edges, ...Array.from({ length: 20_000 }, () => min + 1 + Math.floor(next() * span))];
  // Runs of one day too, where the cached date part is reused.
  for (let ms = Date.UTC(2026, 10, 21, 23, 59, 0); ms < Date.UTC(2026, 10, 22, 0, 1, 0); ms += 997) samples.push(ms);
  for (const ms of samples) assert.equal(isoTimestamp(ms), new Date(ms).toISOString(), `ms ${ms}`);
  assert.equal(toTimestamp(new Date(Date.UTC(1969, 6, 20, 20, 17, 40, 5)), 'f'), '1969-07-20T20:17:40.005Z');
  assert.equal(toJsonText(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), 'f'), '{"$date":"2026-01-02T03:04:05.006Z"}');
});
