/**
 * fast-check generators of BSON values of every type with the edge cases of each (issue 15), for
 * the property test of the value table (docs/data-model.md §2a). Our own generators: each type's
 * edges are listed here, next to random values of the type, nested in documents and arrays.
 */
import fc from 'fast-check';
import { Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'mongodb';
import { BSON_UNDEFINED, DBPointer } from '../../app/source/legacy-bson.js';

export interface ValueOptions {
  /** Strings may contain U+0000 (the table reports those documents: `nul-byte`). */
  nul: boolean;
  maxDepth: number;
}

const withoutNul = (s: string): boolean => !s.includes('\u0000');

/** Strings: any code points (lone surrogates become U+FFFD in BSON's UTF-8), and the awkward ones. */
function text(nul: boolean, maxLength = 12): fc.Arbitrary<string> {
  const any = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a.b', '$x', '\\', '"', '\n\t', 'ü', '👋', 'x\uD800y', '\u2028', 'a\u0000b', '\u0000') },
  );
  return nul ? any : any.filter(withoutNul);
}

/** Keys: never U+0000 (BSON keys are C strings); dots, `$`, empty and unicode keys included. */
const key = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).filter(withoutNul) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', 'a.b', '$x', '$', 'é', '👋', '_id2', 'k') },
);

const double = fc.oneof(
  fc.double(),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.constantFrom(1, -1, 0, -0, 0.1, 1e-7, 1.2345678921232e18, 2 ** 53, 2 ** 53 + 2, 1e21, 1e23, 1.5e300, -1.7976931348623157e308, 5e-324, Number.NaN, Infinity, -Infinity),
).map((n) => new Double(n));

const int32 = fc.oneof(fc.integer({ min: -2147483648, max: 2147483647 }), fc.constantFrom(0, -1, 1, -2147483648, 2147483647)).map((n) => new Int32(n));

const int64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -(2n ** 31n), max: 2n ** 31n }),
  fc.constantFrom(0n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 31n),
).map((n) => Long.fromBigInt(n));

const decimal = fc.oneof(
  fc.constantFrom('0', '-0', '-0.00', '1E+3', '1.050E+4', '1.050', 'NaN', 'Infinity', '-Infinity', '1234567890123456789012345678901234',
    '9.999999999999999999999999999999999E+6144', '1E-6176', '-1.5E-10', '0E-6176', '123.4500'),
  fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 34n - 1n }), fc.integer({ min: -6176, max: 6111 })).map(([neg, c, e]) => `${neg ? '-' : ''}${c}E${e}`),
).map((s) => {
  try {
    return Decimal128.fromString(s);
  } catch {
    return Decimal128.fromString('0');
  }
});

const date = fc.oneof(
  fc.date({ noInvalidDate: true }),
  fc.constantFrom(-1, 0, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -62198755200000, Date.UTC(-4713, 0, 1), 8.64e15, -8.64e15).map((ms) => new Date(ms)),
);

const objectId = fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => new ObjectId(b));

const binary = fc.oneof(
  fc.tuple(fc.constantFrom(0, 1, 2, 3, 5, 6, 7, 8, 0x80, 0xff), fc.uint8Array({ maxLength: 24 })).map(([sub, bytes]) => new Binary(bytes, sub)),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => new Binary(bytes, 4)),
);

const regex = fc.tuple(text(false, 8), fc.subarray(['i', 'l', 'm', 's', 'u', 'x'])).map(([pattern, options]) => new BSONRegExp(pattern, options.join('')));

const timestamp = fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })).map(([t, i]) => new Timestamp({ t, i }));

/** A scope or DBRef field value: plain values only (the legacy markers are written only in plain documents and arrays). */
function plainLeaf(nul: boolean): fc.Arbitrary<unknown> {
  return fc.oneof(text(nul), int32, double, fc.boolean(), fc.constant(null), objectId);
}

/** Every BSON type, each with its edges. */
export function leaf(nul: boolean): fc.Arbitrary<unknown> {
  return fc.oneof(
    double, int32, int64, decimal, text(nul), fc.boolean(), fc.constant(null), objectId, date, binary, regex, timestamp,
    fc.constant(new MinKey()), fc.constant(new MaxKey()), fc.constant(BSON_UNDEFINED),
    text(nul).map((s) => new BSONSymbol(s)),
    text(nul, 20).map((s) => new Code(s)),
    fc.tuple(text(nul, 20), fc.dictionary(key, plainLeaf(nul), { maxKeys: 3 })).map(([s, scope]) => new Code(s, scope)),
    fc.tuple(fc.oneof(text(false, 8), fc.constantFrom('users', 'a.b', 'a.b.c')), fc.oneof(objectId, int32, text(nul, 8)), fc.option(text(false, 6), { nil: undefined }),
      fc.dictionary(key.filter((k) => !k.startsWith('$')), plainLeaf(nul), { maxKeys: 3 })).map(([coll, id, db, fields]) => new DBRef(coll, id as ObjectId, db, fields)),
    fc.tuple(fc.oneof(text(false, 10), fc.constantFrom('db.things', 'plain', 'a.b.c')), objectId).map(([ns, oid]) => new DBPointer(ns, oid)),
  );
}

/** A BSON value: a leaf, or documents and arrays of values, nested up to maxDepth. */
export function bsonValue(options: ValueOptions): fc.Arbitrary<unknown> {
  const { value } = fc.letrec<{ value: unknown; doc: Record<string, unknown>; arr: unknown[] }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', maxDepth: options.maxDepth, withCrossShrink: true }, leaf(options.nul), tie('doc'), tie('arr')),
    doc: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    arr: fc.array(tie('value'), { maxLength: 4 }),
  }));
  return value;
}
