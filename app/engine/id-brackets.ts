/**
 * `_id` type brackets of the bulk phase. A range query `{_id: {$gt: a, $lte: b}}` matches only
 * values of the bounds' own BSON type (MongoDB compares across types by type only, and FerretDB
 * does the same), so a collection whose `_id`s mix types is read bracket by bracket: every
 * range and every redo query names one `$type` and bounds of that type, so the order between
 * types never matters (issue 13, D1/D2). Documents whose `_id` has a type outside the list
 * (MinKey, MaxKey, symbol, code …) are read by a last bracket that excludes every planned one.
 */
import type { Document } from '../source/bson.js';

/** `$type` aliases both MongoDB and FerretDB v1 accept, in BSON comparison order. */
export const ID_BRACKETS = ['null', 'number', 'string', 'object', 'array', 'binData', 'objectId', 'bool', 'date', 'timestamp', 'regex'] as const;

/** The bracket of a range: one alias of ID_BRACKETS, or `not:` followed by the aliases the collection's other ranges cover. */
export type IdBracket = string;

const OTHER_PREFIX = 'not:';

export function otherBracket(planned: readonly string[]): IdBracket {
  return `${OTHER_PREFIX}${planned.join(',')}`;
}

/**
 * The catch-all bracket is read whole in one chunk: its documents may mix types, so no
 * watermark inside it would be sound. Such `_id`s are exotic (none of the application's own).
 */
export function isWholeBracket(bracket: IdBracket): boolean {
  return bracket.startsWith(OTHER_PREFIX);
}

/**
 * The `_id` condition of a bracket between an exclusive lower and an inclusive upper bound of
 * the bracket's type (undefined = open). The catch-all bracket ignores bounds.
 */
export function idCondition(bracket: IdBracket, lower: unknown, upper: unknown): Document {
  if (isWholeBracket(bracket)) {
    const planned = bracket.slice(OTHER_PREFIX.length).split(',').filter((t) => t !== '');
    return planned.length === 0 ? { $exists: true } : { $not: { $type: planned } };
  }
  return { $type: bracket, ...(lower === undefined ? {} : { $gt: lower }), ...(upper === undefined ? {} : { $lte: upper }) };
}

/** A data set's filter and an `_id` condition, as one query. */
export function withIdCondition(filter: Document, cond: Document): Document {
  return Object.keys(filter).length === 0 ? { _id: cond } : { $and: [filter, { _id: cond }] };
}
