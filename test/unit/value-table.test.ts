// The silent changes of issue 15, each with the deliberate outcome of the value table
// (docs/data-model.md §2a). Values are decoded from BSON bytes as the engines decode them, so the
// decoding (types kept, legacy types restored) is tested together with the mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BSON, BSONRegExp, BSONSymbol, DBRef, Decimal128, Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { TransformError } from '../../app/errors.js';
import { copyValue } from '../../app/engine/copy-text.js';
import { BSON_UNDEFINED, DBPointer, hasLegacyElement } from '../../app/source/legacy-bson.js';
import { decodeSourceDocument } from '../../app/source/source-db.js';
import { doubleValue } from '../../app/transform/scoped-values.js';
import { toBool, toInteger, toJsonText, toNumericText, toText, toTimestamp } from '../../app/transform/values.js';
import { decodeString } from '../../app/transform/testkube/scalars.js';
import { serializeWithLegacy } from '../helpers/legacy-bson-bytes.js';

const OID = new ObjectId('65f000000000000000000001');
/** `v` of the document as the engines decode it from its BSON bytes. */
const decoded = (v: unknown): unknown => decodeSourceDocument(serializeWithLegacy({ _id: 1, v }))['v'];
const jsonOf = (v: unknown): string => toJsonText(decoded(v), 'v');
const reportedAs = (reason: string) => (err: unknown): boolean => err instanceof TransformError && err.context['reason'] === reason;

test('jsonb: a DBRef keeps its extra fields and its $ref as written', () => {
  assert.equal(jsonOf({ $ref: 'c', $id: OID, foo: 'bar', n: new Int32(1) }), `{"$ref":"c","$id":{"$oid":"${OID.toHexString()}"},"foo":"bar","n":1}`);
  assert.equal(jsonOf({ $ref: 'c', $id: 7, $db: 'd', x: { y: [1] } }), '{"$ref":"c","$id":7,"$db":"d","x":{"y":[1]}}');
  // The bson library alone would split a dotted $ref into $db and $ref.
  assert.equal(jsonOf({ $ref: 'a.b', $id: 1 }), '{"$ref":"a.b","$id":1}');
  assert.equal(jsonOf({ $ref: 'a.b', $id: 1, $db: 'x' }), '{"$ref":"a.b","$id":1,"$db":"x"}');
  assert.equal(jsonOf([new DBRef('c', OID, undefined, { foo: 'bar' })]), `[{"$ref":"c","$id":{"$oid":"${OID.toHexString()}"},"foo":"bar"}]`);
});

test('jsonb: a DBPointer keeps its type, at any depth', () => {
  const pointer = new DBPointer('db.things', OID);
  const text = `{"$dbPointer":{"$ref":"db.things","$id":{"$oid":"${OID.toHexString()}"}}}`;
  assert.equal(jsonOf(pointer), text);
  assert.equal(jsonOf({ a: [1, { b: pointer }] }), `{"a":[1,{"b":${text}}]}`);
  assert.equal(jsonOf(new DBPointer('plain', OID)), `{"$dbPointer":{"$ref":"plain","$id":{"$oid":"${OID.toHexString()}"}}}`);
});

test('jsonb: a regular expression keeps pattern and options verbatim (a BSONRegExp, never a JavaScript RegExp)', () => {
  assert.ok(decoded(new BSONRegExp('a', 'i')) instanceof BSONRegExp);
  assert.equal(jsonOf(new BSONRegExp('', '')), '{"$regularExpression":{"pattern":"","options":""}}');
  assert.equal(jsonOf(new BSONRegExp('ab/cd', 'imx')), '{"$regularExpression":{"pattern":"ab/cd","options":"imx"}}');
  assert.equal(jsonOf(new BSONRegExp('^\\d+$', 'ix')), '{"$regularExpression":{"pattern":"^\\\\d+$","options":"ix"}}');
  assert.equal(jsonOf(new BSONRegExp('a', 'lsu')), '{"$regularExpression":{"pattern":"a","options":"lsu"}}');
  // A JavaScript RegExp never comes from a source; built in code it is refused, not rewritten.
  assert.throws(() => toJsonText(/a/i, 'v'), reportedAs('unsupported-bson-type'));
});

test('jsonb: an integral Double keeps a decimal point; an Int32 and a Long stay integers', () => {
  assert.equal(jsonOf(new Double(1)), '1.0');
  assert.equal(jsonOf(new Double(-1)), '-1.0');
  assert.equal(jsonOf(new Double(1.2345678921232e18)), '1234567892123200000.0');
  assert.equal(jsonOf(new Double(1e21)), '1000000000000000000000.0');
  assert.equal(jsonOf(new Double(0.5)), '0.5');
  assert.equal(jsonOf(new Double(-0)), '{"$numberDouble":"-0.0"}');
  assert.equal(jsonOf(new Int32(1)), '1');
  assert.equal(jsonOf(Long.fromNumber(1)), '1');
  assert.equal(jsonOf(Long.fromString('9007199254740993')), '{"$numberLong":"9007199254740993"}');
  // Every finite double reads back as itself from its text.
  for (const n of [1, -1, 1.2345678921232e18, 1e21, -1.7976931348623157e308, 5e-324, 0.1, 2 ** 53]) assert.equal(Number(jsonOf(new Double(n))), n);
});

test('jsonb: symbol and BSON undefined keep their types', () => {
  assert.ok(decoded(new BSONSymbol('s')) instanceof BSONSymbol);
  assert.equal(jsonOf(new BSONSymbol('legacy')), '{"$symbol":"legacy"}');
  assert.equal(decoded(BSON_UNDEFINED), BSON_UNDEFINED);
  assert.equal(jsonOf({ a: BSON_UNDEFINED, b: [BSON_UNDEFINED] }), '{"a":{"$undefined":true},"b":[{"$undefined":true}]}');
});

test('text columns: booleans and BSON undefined are reported; a symbol is its text; numbers are their decimal text', () => {
  assert.throws(() => toText(true, 'name'), reportedAs('type-mismatch'));
  assert.throws(() => toText(false, 'name'), /name: expected text, got boolean/);
  assert.throws(() => toText(decoded(BSON_UNDEFINED), 'name'), /name: expected text, got undefined/);
  assert.equal(toText(decoded(new BSONSymbol('legacy')), 'name'), 'legacy');
  assert.equal(toText(decoded(new Double(1)), 'name'), '1');
  assert.equal(toText(decoded(new Double(-0)), 'name'), '-0');
  assert.equal(toText(decoded(Decimal128.fromString('1.050E+4')), 'name'), '1.050E+4');
});

test('typed columns: BSON undefined is reported, not taken for NULL', () => {
  const undef = decoded(BSON_UNDEFINED);
  assert.throws(() => toInteger(undef, 'n'), reportedAs('type-mismatch'));
  assert.throws(() => toNumericText(undef, 'n'), reportedAs('type-mismatch'));
  assert.throws(() => doubleValue(undef, 'n'), reportedAs('type-mismatch'));
  assert.throws(() => toBool(undef, 'b'), reportedAs('type-mismatch'));
  assert.throws(() => toTimestamp(undef, 't'), reportedAs('type-mismatch'));
  // Missing stays NULL.
  assert.equal(toInteger(undefined, 'n'), null);
  assert.equal(doubleValue(undefined, 'n'), null);
});

test('float8 columns keep -0.0 (Double and Decimal128), in COPY text and as a parameter', () => {
  assert.equal(doubleValue(decoded(new Double(-0)), 'd'), '-0');
  assert.equal(doubleValue(decoded(Decimal128.fromString('-0')), 'd'), '-0');
  assert.equal(doubleValue(decoded(Decimal128.fromString('-0.00')), 'd'), '-0');
  assert.equal(copyValue(-0), '-0');
  assert.equal(doubleValue(decoded(new Double(0)), 'd'), 0);
});

test('numeric columns: a Decimal128 is passed as its text; PostgreSQL expands a positive exponent (table: change)', () => {
  assert.equal(toNumericText(decoded(Decimal128.fromString('1E+3')), 'q'), '1E+3');
  assert.equal(toNumericText(decoded(Decimal128.fromString('1.050E+4')), 'q'), '1.050E+4');
  assert.throws(() => toNumericText(decoded(Decimal128.fromString('NaN')), 'q'), reportedAs('not-finite'));
});

test('integer columns: reasons follow the table', () => {
  assert.equal(toInteger(decoded(new Double(3)), 'n'), 3);
  assert.throws(() => toInteger(decoded(new Double(3.5)), 'n'), reportedAs('not-integer'));
  assert.throws(() => toInteger(decoded(new Double(1e21)), 'n', 64), reportedAs('int64-range'));
  assert.throws(() => toInteger(decoded(Long.fromString('2147483648')), 'n'), reportedAs('int32-range'));
  assert.throws(() => toInteger(decoded(Decimal128.fromString('1E+3')), 'n'), reportedAs('not-integer'));
});

test('the legacy scan finds DBPointer, undefined and $-keys at any depth, and nothing else', () => {
  const plain: Document = { _id: OID, a: { b: [1, 'x', { c: new Double(1) }] }, s: 'has $ inside', d: new Date(0) };
  assert.equal(hasLegacyElement(BSON.serialize(plain)), false);
  assert.equal(hasLegacyElement(serializeWithLegacy({ ...plain, a: { b: [1, { c: BSON_UNDEFINED }] } })), true);
  assert.equal(hasLegacyElement(serializeWithLegacy({ ...plain, z: [new DBPointer('a.b', OID)] })), true);
  assert.equal(hasLegacyElement(BSON.serialize({ ...plain, a: { $x: 1 } })), true);
});

test('Testkube-typed data sets read a symbol (now decoded as BSONSymbol) into a string, as the Go driver does', () => {
  assert.equal(decodeString(decoded(new BSONSymbol('legacy')), 'name'), 'legacy');
});
