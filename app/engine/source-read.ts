/**
 * A document the driver cannot decode (a string that is not valid UTF-8, written by a driver
 * that does not validate) makes the cursor throw a BSONError. That is not a connection problem to
 * retry, and the cursor cannot step past it: the read stops with a SourceError that names the
 * collection and the last `_id` read, so the operator can find and fix the document.
 */
import { BSON, type Document } from '../source/bson.js';
import { SourceError, errorMessage } from '../errors.js';
import { decodeSourceDocument, type SourceCursor } from '../source/source-db.js';

export function isDecodeError(err: unknown): boolean {
  return BSON.BSONError.isBSONError(err);
}

/** The error for a document that cannot be decoded, naming the last `_id` read before it. */
export function undecodableDocument(collection: string, lastId: unknown, err: unknown): SourceError {
  const after = lastId === undefined ? 'at the start of the collection' : `after _id ${JSON.stringify(BSON.EJSON.serialize({ id: lastId }).id)}`;
  return new SourceError('SOURCE_READ', `${collection}: a document ${after} cannot be decoded (${errorMessage(err)}); PostgreSQL could not store it as it is and the read cannot continue past it: fix or remove that document in MongoDB, then run again with CONVERT_SKIP_EXISTING=true`, { cause: err, context: { collection, afterId: lastId === undefined ? null : String(lastId) } });
}

/** What the readers of decoded documents use of a cursor. */
export type DecodedCursor = Pick<SourceCursor, 'next' | 'close' | typeof Symbol.asyncIterator>;

/**
 * Documents of a cursor opened with `raw: true`, decoded by decodeSourceDocument: the driver's own
 * decoding cannot return DBPointer and BSON undefined as themselves (app/source/legacy-bson.ts),
 * and both engines must see the same values.
 */
export function decodeChecked(cursor: SourceCursor, collection: string): DecodedCursor {
  let lastId: unknown;
  const next = async (): Promise<Document | null> => {
    try {
      const raw = (await cursor.next()) as Uint8Array | null;
      if (raw === null) return null;
      const doc = decodeSourceDocument(raw);
      lastId = doc._id;
      return doc;
    } catch (err) {
      if (!isDecodeError(err)) throw err;
      throw undecodableDocument(collection, lastId, err);
    }
  };
  return {
    next,
    close: () => cursor.close(),
    async *[Symbol.asyncIterator]() {
      for (let doc = await next(); doc !== null; doc = await next()) yield doc;
    },
  };
}
