/**
 * The narrow part of the MongoDB driver the engines use. A driver `Db` satisfies it as is; the
 * benchmark passes an in-process BSON source through the same interface.
 */
import type { Document, Filter } from 'mongodb';

export interface FindOptions {
  sort?: Document;
  batchSize?: number;
  limit?: number;
  skip?: number;
  projection?: Document;
}

export interface SourceCursor extends AsyncIterable<Document> {
  next(): Promise<Document | null>;
  close(): Promise<void>;
}

export interface SourceCollectionApi {
  find(filter: Filter<Document>, options?: FindOptions): SourceCursor;
  countDocuments(filter?: Filter<Document>): Promise<number>;
  estimatedDocumentCount(): Promise<number>;
}

export interface SourceDb {
  collection(name: string): SourceCollectionApi;
  listCollections(filter: Document, options: { nameOnly: true }): { toArray(): Promise<Array<{ name: string }>> };
}
