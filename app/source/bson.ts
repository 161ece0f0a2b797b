/**
 * The BSON library without the MongoDB driver: transform threads need only this, and loading the
 * driver took a thread about 0.35 s of its start (444 ms to load its modules, 86 ms without it).
 *
 * It is loaded with require on purpose. `bson` ships separate CommonJS and ES module builds, each
 * with its own classes; the driver (CommonJS) requires the CommonJS one, so only that build makes
 * `instanceof ObjectId` true for the values the driver decodes.
 */
import { createRequire } from 'node:module';
import type * as Bson from 'bson';

const bson = createRequire(import.meta.url)('bson') as typeof Bson;

export const { BSON, Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } = bson;
export type Binary = Bson.Binary;
export type BSONRegExp = Bson.BSONRegExp;
export type BSONSymbol = Bson.BSONSymbol;
export type Code = Bson.Code;
export type DBRef = Bson.DBRef;
export type Decimal128 = Bson.Decimal128;
export type Double = Bson.Double;
export type Int32 = Bson.Int32;
export type Long = Bson.Long;
export type MaxKey = Bson.MaxKey;
export type MinKey = Bson.MinKey;
export type ObjectId = Bson.ObjectId;
export type Timestamp = Bson.Timestamp;
export type UUID = Bson.UUID;
export type { Document } from 'bson';
