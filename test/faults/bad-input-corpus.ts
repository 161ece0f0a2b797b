/**
 * The bad-input corpus: hostile and odd source documents, each with the exact outcome a faithful
 * migration must give it — the value read back from PostgreSQL (as PostgreSQL prints it, in
 * UTC), or the error report line (code, and a reason naming the field). Used by
 * test/integration/bad-input-corpus.test.ts; docs/verification.md lists the outcomes of a run.
 *
 * Documents are written through the real driver when the test server stores them unchanged, and
 * otherwise given to the engines as BSON (the same decoding the driver does). A few are raw BSON
 * bytes the JavaScript driver cannot produce (BSON undefined, dates beyond JavaScript's range,
 * invalid UTF-8 another driver wrote).
 */
import {
  BSON, Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID, type Document,
} from 'mongodb';
import { scopedCollectionName } from '../../app/source/collections.js';
import { DBPointer } from '../../app/source/legacy-bson.js';
import { serializeWithLegacy } from '../helpers/legacy-bson-bytes.js';
import { EXECUTION_ID, fullExecution } from '../fixtures/testkube/documents.js';

export const ORG = 'tkcorg_bad_input_base';
export const ENV = 'tkcenv_bad_input_1';
export const ENV2 = 'tkcenv_bad_input_2';
export const EXECUTIONS_1 = scopedCollectionName('testworkflowresults', ORG, ENV);
export const EXECUTIONS_2 = scopedCollectionName('testworkflowresults', ORG, ENV2);

export type CorpusDataSet = 'users' | 'organizations' | 'usage_records' | 'test_workflow_executions';

/** A value read back: `expr` is evaluated over the row (alias t) and printed with ::text. */
export interface ReadBack {
  table: string;
  keyColumn: string;
  key: string;
  expr: string;
  expected: string | null;
}

export type Expectation =
  | { outcome: 'migrated'; checks: ReadBack[] }
  | { outcome: 'reported'; code: string; message: RegExp }
  /** The read cannot continue past the document: the run stops with this error, nothing after it is read. */
  | { outcome: 'stops'; code: string; message: RegExp };

export interface CorpusDoc {
  collection: string;
  doc: Document | Uint8Array;
  /** The record id the error report would use. */
  id: string;
  expect: Expectation;
}

export interface BadInput {
  kind: string;
  dataSet: CorpusDataSet;
  docs: CorpusDoc[];
  /** Set when the document exists only as raw BSON (the JS driver cannot write it): why. */
  rawBson?: string;
  /** A known bug outside this suite's code: the case runs and is reported as a todo until fixed. */
  knownBug?: string;
}

/** Kinds that cannot exist in MongoDB at all: the driver refuses to encode them. */
export interface Unencodable {
  kind: string;
  build: () => Document;
  message: RegExp;
}

// --- raw BSON ------------------------------------------------------------------------

function find(bytes: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i <= bytes.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('placeholder not found in the serialized document');
}

const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** The document with the bytes of string `placeholder` replaced by `bytes` (same length). */
function withStringBytes(doc: Document, placeholder: string, bytes: readonly number[]): Uint8Array {
  const out = BSON.serialize(doc);
  const at = find(out, ascii(placeholder));
  if (bytes.length !== placeholder.length) throw new Error('replacement must keep the length');
  out.set(bytes, at);
  return out;
}

/** The document with field `name` (written as null) turned into BSON undefined (type 0x06, deprecated). */
function withUndefined(doc: Document, name: string): Uint8Array {
  const out = BSON.serialize({ ...doc, [name]: null });
  out[find(out, [0x0a, ...ascii(name), 0])] = 0x06;
  return out;
}

/** The document with date field `name` set to `ms` milliseconds, which need not fit a JS Date. */
function withDateMillis(doc: Document, name: string, ms: bigint): Uint8Array {
  const out = BSON.serialize({ ...doc, [name]: new Date(0) });
  const at = find(out, [0x09, ...ascii(name), 0]) + name.length + 2;
  Buffer.from(out.buffer, out.byteOffset, out.byteLength).writeBigInt64LE(ms, at);
  return out;
}

// --- helpers -------------------------------------------------------------------------

const orgId = (kind: string): string => `bad_${kind}`.slice(0, 64);
let oidCounter = 0;
/** Ascending ObjectIds, so ranges and report ids are predictable. */
const oid = (): ObjectId => {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(0x6700_0000, 0);
  b.writeUInt32BE(++oidCounter, 8);
  return new ObjectId(b);
};

function migrated(...checks: ReadBack[]): Expectation {
  return { outcome: 'migrated', checks };
}
function reported(code: string, message: RegExp): Expectation {
  return { outcome: 'reported', code, message };
}

/** An organisation whose `field` (an unmapped one lands in `extra`) holds `value`. */
function org(kind: string, fields: Document, expect: (id: string) => Expectation): BadInput {
  const id = orgId(kind);
  const doc: Document = { _id: id, name: `org ${kind}`, ...fields };
  for (const [k, v] of Object.entries(fields)) if (v === undefined) delete doc[k];
  return { kind, dataSet: 'organizations', docs: [{ collection: 'organizations', doc, id, expect: expect(id) }] };
}
/** `extra -> 'v'` of organisation `id` as jsonb text. */
const extraV = (id: string, expected: string | null): ReadBack => ({ table: 'organizations', keyColumn: 'id', key: id, expr: "t.extra -> 'v'", expected });
const orgColumn = (id: string, expr: string, expected: string | null): ReadBack => ({ table: 'organizations', keyColumn: 'id', key: id, expr, expected });
const inExtra = (kind: string, value: unknown, expected: string): BadInput => org(kind, { v: value }, (id) => migrated(extraV(id, expected)));

function usage(kind: string, fields: Document, expect: (id: string) => Expectation): BadInput {
  const _id = oid();
  const id = _id.toHexString();
  const doc: Document = { _id, organizationId: ORG, metric: 'execution_minutes', value: 1, timestamp: new Date('2025-01-01T00:00:00Z'), ...fields };
  for (const [k, v] of Object.entries(fields)) if (v === undefined) delete doc[k];
  return { kind, dataSet: 'usage_records', docs: [{ collection: 'usage', doc, id, expect: expect(id) }] };
}
const quantity = (id: string, expected: string): ReadBack => ({ table: 'usage_records', keyColumn: 'mongo_id', key: id, expr: 't.quantity', expected });

function user(kind: string, fields: Document, expect: (id: string) => Expectation): BadInput {
  const _id = oid();
  const id = _id.toHexString();
  const doc: Document = { _id, email: `${kind}@example.com`, ...fields };
  for (const [k, v] of Object.entries(fields)) if (v === undefined) delete doc[k];
  return { kind, dataSet: 'users', docs: [{ collection: 'users', doc, id, expect: expect(id) }] };
}

function deep(levels: number): Document {
  let v: Document = { leaf: true };
  for (let i = 1; i < levels; i++) v = { d: v };
  return v;
}
function deepText(levels: number): string {
  return `${'{"d": '.repeat(levels - 1)}{"leaf": true}${'}'.repeat(levels - 1)}`;
}

const NEAR_16MB = 16 * 1024 * 1024 - 64 * 1024;

// --- the corpus ----------------------------------------------------------------------

export function corpus(): BadInput[] {
  oidCounter = 0;
  const b64 = (bytes: Buffer): string => bytes.toString('base64');
  const uuid = new UUID('0f8fad5b-d9cb-469f-a165-70867728950e');
  const ref = new ObjectId('65f000000000000000000001');
  const executionDup = { ...fullExecution() };
  const kinds: BadInput[] = [
    // Strings
    org('nul_in_string', { name: 'a\u0000b' }, () => reported('TRANSFORM', /^name: contains a NUL character/)),
    org('nul_in_nested_string', { v: { s: 'x\u0000' } }, () => reported('TRANSFORM', /^extra\.v\.s: contains a NUL character/)),
    org('lone_surrogate_js', { name: 'x\uD800y' }, (id) => migrated(orgColumn(id, 't.name', 'x\uFFFDy'))),
    {
      kind: 'invalid_utf8_from_another_driver', dataSet: 'organizations', rawBson: 'a lone surrogate written CESU-8 (ED A0 80) by a driver that does not validate UTF-8',
      docs: [{ collection: 'organizations', doc: withStringBytes({ _id: orgId('invalid_utf8_from_another_driver'), name: 'x@@@y' }, '@@@', [0xed, 0xa0, 0x80]), id: orgId('invalid_utf8_from_another_driver'), expect: { outcome: 'stops', code: 'SOURCE_READ', message: /^organizations: a document after _id "bad_before" cannot be decoded \(Invalid UTF-8 string in BSON document\)/ } }],
    },
    org('empty_string', { name: '' }, (id) => migrated(orgColumn(id, 't.name', ''))),
    org('astral_and_rtl', { name: '名前 👩🏽‍💻 \u202Eabc', v: { '🔑': 'é' } }, (id) => migrated(orgColumn(id, 't.name', '名前 👩🏽‍💻 \u202Eabc'), extraV(id, '{"🔑": "é"}'))),
    org('one_megabyte_text', { name: 'n'.repeat(1024 * 1024) }, (id) => migrated(orgColumn(id, 'length(t.name)', String(1024 * 1024)))),
    { kind: 'id_longer_than_column', dataSet: 'organizations', docs: [{ collection: 'organizations', doc: { _id: 'o'.repeat(65), name: 'too long id' }, id: 'o'.repeat(65), expect: reported('TRANSFORM', /^_id: is 65 characters long, longer than the column's 64/) }] },
    { kind: 'id_of_wrong_type', dataSet: 'organizations', docs: [{ collection: 'organizations', doc: { _id: 4242, name: 'numeric id' }, id: '{"$numberInt":"4242"}', expect: reported('TRANSFORM', /^_id: expected a string id, got Int32/) }] },
    org('number_as_text_field', { name: 12345 }, (id) => migrated(orgColumn(id, 't.name', '12345'))),
    org('missing_required_field', { name: undefined }, () => reported('TRANSFORM', /^name: is required but missing or null/)),

    // Numbers in free-form values (jsonb keeps them as Extended JSON)
    inExtra('decimal128_nan', Decimal128.fromString('NaN'), '{"$numberDecimal": "NaN"}'),
    inExtra('decimal128_infinity', Decimal128.fromString('-Infinity'), '{"$numberDecimal": "-Infinity"}'),
    inExtra('decimal128_negative_zero', Decimal128.fromString('-0'), '{"$numberDecimal": "-0"}'),
    inExtra('decimal128_34_digits', Decimal128.fromString('1234567890123456789012345678901.234'), '{"$numberDecimal": "1234567890123456789012345678901.234"}'),
    inExtra('decimal128_extreme_exponent', Decimal128.fromString('9.999999999999999999999999999999999E+6144'), '{"$numberDecimal": "9.999999999999999999999999999999999E+6144"}'),
    inExtra('double_nan', NaN, '{"$numberDouble": "NaN"}'),
    inExtra('double_infinity', -Infinity, '{"$numberDouble": "-Infinity"}'),
    inExtra('double_negative_zero', new Double(-0), '{"$numberDouble": "-0.0"}'),
    inExtra('long_max', Long.MAX_VALUE, '{"$numberLong": "9223372036854775807"}'),
    inExtra('long_min', Long.MIN_VALUE, '{"$numberLong": "-9223372036854775808"}'),
    inExtra('int32_min', new Int32(-2147483648), '-2147483648'),

    // Numbers in a numeric column (usage_records.quantity)
    usage('number_as_string', { value: ' 42.50 ' }, (id) => migrated(quantity(id, '42.50'))),
    usage('number_as_exponent_string', { value: '1e3' }, (id) => migrated(quantity(id, '1000'))),
    usage('long_max_in_numeric', { value: Long.MAX_VALUE }, (id) => migrated(quantity(id, '9223372036854775807'))),
    usage('decimal128_34_digits_in_numeric', { value: Decimal128.fromString('-0.000000000000000000000000000000001234') }, (id) => migrated(quantity(id, '-0.000000000000000000000000000000001234'))),
    usage('double_in_numeric', { value: 0.1 }, (id) => migrated(quantity(id, '0.1'))),
    // numeric has no signed zero: -0 is stored as the equal value 0 (jsonb keeps the sign, above).
    usage('negative_zero_in_numeric', { value: -0 }, (id) => migrated(quantity(id, '0'))),
    usage('decimal128_negative_zero_in_numeric', { value: Decimal128.fromString('-0.00') }, (id) => migrated(quantity(id, '0.00'))),
    usage('non_numeric_string', { value: '12abc' }, () => reported('TRANSFORM', /^value: expected a number, got the string "12abc"/)),
    usage('empty_string_as_number', { value: '' }, () => reported('TRANSFORM', /^value: expected a number, got the string ""/)),
    usage('boolean_as_number', { value: true }, () => reported('TRANSFORM', /^value: expected a number, got boolean/)),
    usage('double_nan_in_numeric', { value: NaN }, () => reported('TRANSFORM', /^value: is NaN, which a numeric column cannot hold/)),
    usage('double_infinity_in_numeric', { value: Infinity }, () => reported('TRANSFORM', /^value: is Infinity, which a numeric column cannot hold/)),
    usage('decimal128_nan_in_numeric', { value: Decimal128.fromString('NaN') }, () => reported('TRANSFORM', /^value: is Decimal128 NaN, which a numeric column cannot hold/)),
    usage('missing_required_timestamp', { timestamp: undefined }, () => reported('TRANSFORM', /^timestamp: is required but missing or null/)),
    usage('date_as_iso_string', { timestamp: '2025-02-03T04:05:06.789Z' }, (id) => migrated({ table: 'usage_records', keyColumn: 'mongo_id', key: id, expr: 't.recorded_at', expected: '2025-02-03 04:05:06.789+00' })),
    { kind: 'string_id_where_objectid_expected', dataSet: 'usage_records', docs: [{ collection: 'usage', doc: { _id: 'usage-1', organizationId: ORG, metric: 'm', value: 1, timestamp: new Date(0) }, id: 'usage-1', expect: reported('TRANSFORM', /^_id: expected an ObjectId, got string/) }] },

    // Booleans (users.email_verified)
    user('boolean_as_string_true', { emailVerified: 'true' }, (id) => migrated({ table: 'users', keyColumn: 'id', key: id, expr: 't.email_verified', expected: 'true' })),
    user('boolean_as_string_false', { emailVerified: 'false' }, (id) => migrated({ table: 'users', keyColumn: 'id', key: id, expr: 't.email_verified', expected: 'false' })),
    user('boolean_as_yes', { emailVerified: 'yes' }, () => reported('TRANSFORM', /^emailVerified: expected a boolean, got string "yes"/)),
    user('boolean_as_integer', { emailVerified: 1 }, () => reported('TRANSFORM', /^emailVerified: expected a boolean, got Int32/)),
    user('missing_required_email', { email: undefined }, () => reported('TRANSFORM', /^email: is required but missing or null/)),

    // Dates
    org('date_year_zero', { createdAt: new Date('0000-06-15T12:00:00.000Z') }, (id) => migrated(orgColumn(id, 't.created_at', '0001-06-15 12:00:00+00 BC'))),
    org('date_before_year_1_far', { createdAt: new Date('-004000-01-01T00:00:00.000Z') }, (id) => migrated(orgColumn(id, 't.created_at', '4001-01-01 00:00:00+00 BC'))),
    org('date_before_4713_bc', { createdAt: new Date('-004714-01-01T00:00:00.000Z') }, () => reported('TRANSFORM', /^createdAt: date .* is before PostgreSQL's earliest timestamp/)),
    org('date_at_javascript_maximum', { createdAt: new Date(8.64e15) }, (id) => migrated(orgColumn(id, 't.created_at', '275760-09-13 00:00:00+00'))),
    {
      kind: 'date_beyond_javascript_range', dataSet: 'organizations', rawBson: 'a BSON date of 2^62 ms (year ~146 million): a JS Date cannot hold it, so the driver cannot write it',
      docs: [{ collection: 'organizations', doc: withDateMillis({ _id: orgId('date_beyond_javascript_range'), name: 'far future' }, 'createdAt', 2n ** 62n), id: orgId('date_beyond_javascript_range'), expect: reported('TRANSFORM', /^createdAt: is a date outside the range/) }],
    },
    inExtra('date_in_free_form_before_1970', new Date('1969-12-31T23:59:59.999Z'), '{"$date": {"$numberLong": "-1"}}'),

    // Structure
    org('nesting_100_levels', { plan: deep(100) }, (id) => migrated(orgColumn(id, 't.plan', deepText(100)))),
    org('large_array_100k', { v: Array.from({ length: 100_000 }, (_, i) => i) }, (id) => migrated(orgColumn(id, "jsonb_array_length(t.extra -> 'v')", '100000'), orgColumn(id, "t.extra -> 'v' -> 99999", '99999'))),
    org('document_near_16mb', { v: 'x'.repeat(NEAR_16MB) }, (id) => migrated(orgColumn(id, "length(t.extra ->> 'v')", String(NEAR_16MB)))),
    inExtra('nested_arrays', [[1, [2, []]], []], '[[1, [2, []]], []]'),
    inExtra('keys_with_dots_and_dollar', { 'a.b': 1, $x: { 'c.d.e': 2 } }, '{"$x": {"c.d.e": 2}, "a.b": 1}'),
    {
      kind: 'mixed_types_in_one_field', dataSet: 'organizations',
      docs: ([['s', 'basic'], ['n', 3], ['o', { name: 'pro', seats: new Long(10) }], ['a', ['x']]] as const).map(([suffix, plan]) => {
        const id = orgId(`mixed_types_in_one_field_${suffix}`);
        const text = typeof plan === 'string' ? '"basic"' : typeof plan === 'number' ? '3' : Array.isArray(plan) ? '["x"]' : '{"name": "pro", "seats": 10}';
        return { collection: 'organizations', doc: { _id: id, name: 'mixed', plan }, id, expect: migrated(orgColumn(id, 't.plan', text)) };
      }),
    },

    // Every other BSON type, in a free-form value
    inExtra('binary_uuid_subtype_4', uuid, `{"$binary": {"base64": "${b64(Buffer.from(uuid.buffer))}", "subType": "04"}}`),
    inExtra('binary_old_uuid_subtype_3', new Binary(Buffer.alloc(16, 0xab), 3), `{"$binary": {"base64": "${b64(Buffer.alloc(16, 0xab))}", "subType": "03"}}`),
    inExtra('binary_generic', new Binary(Buffer.from([0, 1, 2, 255])), '{"$binary": {"base64": "AAEC/w==", "subType": "00"}}'),
    inExtra('binary_user_defined', new Binary(Buffer.from('z'), 0x80), '{"$binary": {"base64": "eg==", "subType": "80"}}'),
    inExtra('regular_expression', new BSONRegExp('^a.*b$', 'im'), '{"$regularExpression": {"options": "im", "pattern": "^a.*b$"}}'),
    inExtra('javascript_code', new Code('function () { return 1; }'), '{"$code": "function () { return 1; }"}'),
    inExtra('javascript_code_with_scope', new Code('x + 1', { x: 1 }), '{"$code": "x + 1", "$scope": {"x": 1}}'),
    inExtra('min_key', new MinKey(), '{"$minKey": 1}'),
    inExtra('max_key', new MaxKey(), '{"$maxKey": 1}'),
    inExtra('timestamp', new Timestamp({ t: 1_700_000_000, i: 7 }), '{"$timestamp": {"i": 7, "t": 1700000000}}'),
    inExtra('dbref', new DBRef('users', ref, 'otherdb'), `{"$db": "otherdb", "$id": {"$oid": "${ref.toHexString()}"}, "$ref": "users"}`),
    inExtra('symbol', new BSONSymbol('legacy'), '{"$symbol": "legacy"}'),

    // The silent changes of issue 15, each with its outcome of the value table (docs/data-model.md §2a)
    inExtra('dbref_with_extra_fields', new DBRef('users', ref, undefined, { foo: 'bar', n: new Int32(2) }), `{"n": 2, "$id": {"$oid": "${ref.toHexString()}"}, "foo": "bar", "$ref": "users"}`),
    inExtra('dbref_with_dotted_ref', { $ref: 'a.b', $id: new Int32(1) }, '{"$id": 1, "$ref": "a.b"}'),
    {
      kind: 'dbpointer', dataSet: 'organizations', rawBson: 'BSON type 0x0C (deprecated DBPointer): the JS driver cannot write it',
      docs: [{ collection: 'organizations', doc: serializeWithLegacy({ _id: orgId('dbpointer'), name: 'pointer', v: new DBPointer('db.things', ref) }), id: orgId('dbpointer'), expect: migrated(extraV(orgId('dbpointer'), `{"$dbPointer": {"$id": {"$oid": "${ref.toHexString()}"}, "$ref": "db.things"}}`)) }],
    },
    inExtra('regex_empty_pattern', new BSONRegExp('', ''), '{"$regularExpression": {"options": "", "pattern": ""}}'),
    inExtra('regex_with_slash', new BSONRegExp('ab/cd', 'imx'), '{"$regularExpression": {"options": "imx", "pattern": "ab/cd"}}'),
    inExtra('regex_every_option', new BSONRegExp('a', 'ilmsux'), '{"$regularExpression": {"options": "ilmsux", "pattern": "a"}}'),
    inExtra('double_integral', new Double(1), '1.0'),
    inExtra('double_integral_negative', new Double(-1), '-1.0'),
    inExtra('double_integral_large', new Double(1.2345678921232e18), '1234567892123200000.0'),
    inExtra('int32_stays_integer', new Int32(1), '1'),
    org('boolean_in_text', { name: true }, () => reported('TRANSFORM', /^name: expected text, got boolean/)),
    {
      kind: 'bson_undefined_in_text', dataSet: 'organizations', rawBson: 'BSON type 0x06 (deprecated undefined) in a text column',
      docs: [{ collection: 'organizations', doc: withUndefined({ _id: orgId('bson_undefined_in_text'), name: 'undef', slug: 'x' }, 'slug'), id: orgId('bson_undefined_in_text'), expect: reported('TRANSFORM', /^slug: expected text, got undefined/) }],
    },
    usage('decimal128_exponent_in_numeric', { value: Decimal128.fromString('1E+3') }, (id) => migrated(quantity(id, '1000'))),
    usage('decimal128_scaled_exponent_in_numeric', { value: Decimal128.fromString('1.050E+4') }, (id) => migrated(quantity(id, '10500'))),
    inExtra('objectid', ref, `{"$oid": "${ref.toHexString()}"}`),
    {
      kind: 'bson_undefined', dataSet: 'organizations', rawBson: 'BSON type 0x06 (deprecated undefined): the JS driver writes undefined as null or leaves it out',
      docs: [{ collection: 'organizations', doc: withUndefined({ _id: orgId('bson_undefined'), name: 'undef' }, 'v'), id: orgId('bson_undefined'), expect: migrated(extraV(orgId('bson_undefined'), '{"$undefined": true}')) }],
    },

    // Ids that repeat across per-environment collections
    {
      kind: 'duplicate_id_across_scoped_collections', dataSet: 'test_workflow_executions',
      docs: [
        { collection: EXECUTIONS_1, doc: executionDup, id: EXECUTION_ID, expect: migrated({ table: 'test_workflow_executions', keyColumn: 'id', key: EXECUTION_ID, expr: 't.environment_id', expected: ENV }) },
        { collection: EXECUTIONS_2, doc: { ...executionDup, name: 'same id, other environment' }, id: EXECUTION_ID, expect: reported('SINK_WRITE', /duplicate key value violates unique constraint/) },
      ],
    },
    {
      kind: 'execution_without_id', dataSet: 'test_workflow_executions',
      docs: [{ collection: EXECUTIONS_1, doc: { ...fullExecution(), _id: new ObjectId('66a1b2c3d4e5f60718293a4d'), id: '' }, id: '66a1b2c3d4e5f60718293a4d', expect: reported('TRANSFORM', /^id: the execution has no id/) }],
    },
  ];
  return kinds;
}

export function unencodable(): Unencodable[] {
  return [
    { kind: 'nul_in_key', build: () => ({ _id: 'x', ['a\u0000b']: 1 }), message: /null bytes/ },
    { kind: 'nul_in_nested_key', build: () => ({ _id: 'x', v: { ['\u0000']: 1 } }), message: /null bytes/ },
  ];
}

/** Parents every path needs: the organisation usage records reference, the environments executions live in. */
export function baseDocuments(): Record<string, Document[]> {
  return {
    organizations: [{ _id: ORG, name: 'bad input base' }],
    environments: [{ _id: ENV, organizationId: ORG, name: 'one' }, { _id: ENV2, organizationId: ORG, name: 'two' }],
  };
}

export function countDocs(kinds: readonly BadInput[]): number {
  return kinds.reduce((n, k) => n + k.docs.length, 0);
}
