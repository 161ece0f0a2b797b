/**
 * What a data set is: where its documents come from, which table(s) they land in, and the pure
 * transform between the two. Engines (record-level and bulk) only ever see this interface.
 */
import type { Document } from 'mongodb';
import type { Reference, RefKind } from '../engine/integrity.js';
import type { StatNote } from '../report/stats.js';

/** A value ready for PostgreSQL: text for jsonb/timestamptz/numeric/bigint, so nothing is lost in JS numbers. */
export type PgValue = string | number | boolean | null;

export interface TableRows {
  table: string;
  rows: PgValue[][];
}

/** Output of one document: rows for one or more tables, parents first. */
export type TransformOutput = TableRows[];

/** Where one data set reads from. Per-organisation data sets have one collection per organisation. */
export interface SourceCollection {
  collection: string;
  /** Organisation and environment the collection belongs to, for per-org(/env) data sets. */
  organizationId?: string;
  environmentId?: string;
  /** The collection is named for an organisation/environment that does not exist. */
  orphan?: boolean;
}

export interface TransformContext {
  organizationId?: string;
  environmentId?: string;
  /** Master password etc. live on the engine side; transforms get only derived helpers. */
  readonly helpers?: Readonly<Record<string, unknown>>;
}

export interface TableSpec {
  table: string;
  columns: readonly string[];
  /** Columns of the unique key used to skip rows that already exist. */
  conflictKey: readonly string[];
}

export interface DataSet {
  /** Stable name used in logs, metrics, error report file names and progress. */
  name: string;
  phase: 'record' | 'bulk';
  /** Source collection name. For scoped data sets this is the base name; see app/source/collections.ts. */
  collection: string;
  /** 'organization': one collection per organisation; 'environment': one per organisation/environment. */
  scope: 'global' | 'organization' | 'environment';
  /** Tables written, parents first. */
  tables: readonly TableSpec[];
  /** Data sets that must be migrated before this one (their rows are referenced). */
  dependsOn: readonly string[];
  /** Filter applied to the source query (e.g. CONVERT_SINCE for usage records). */
  filter?: Document;
  /**
   * Optional: the records inside one source document (payments history is an array embedded in
   * organisations). Each item is then a record of its own for counting, transform and reports.
   */
  explode?(doc: Document): Document[];
  /** With `explode`: what one record is, for the statistics (`an entry of organizations.payments[]`). */
  recordUnit?: string;
  /** With `explode`: the data set that migrates (and counts) the documents the records sit in. */
  documentsOf?: string;
  /**
   * Optional: the part of a record whose unmapped fields land in the main table's `extra` (an
   * exploded payment's entry, not the record around it). Default: the record itself. Verification
   * compares `extra` with it independently of the transform.
   */
  extraSource?(record: Document): unknown;
  /** Pure: document → rows. Throws TransformError for a value it cannot map faithfully. */
  transform(doc: Document, ctx: TransformContext): TransformOutput;
  /** The record id used in reports (usually String(_id)). */
  idOf(doc: Document): string;
  /** Keys this data set's migrated records provide to later data sets (organizations → 'organization'). */
  provides?: { kind: RefKind; key(doc: Document, ctx: TransformContext): string };
  /** References that must resolve to records of earlier data sets; checked before writing. */
  references?(doc: Document, ctx: TransformContext): Reference[];
  /**
   * Counts the transform keeps (fields with no column, by path). The bulk phase transforms on
   * threads with their own instances and adds their counts here as chunks commit.
   */
  counters?: Map<string, number>;
  /**
   * Bulk: documents are updated in place after they are written (executions finish). The bulk
   * engine then records a digest of each loaded document, so catch-up at cutover re-migrates
   * exactly the changed ones (issue 17). Without it a bulk data set is append-only: documents are
   * inserted and deleted, never changed.
   */
  mutable?: boolean;
  /** Counts for the statistics block, read from `counters` when the data set has finished. */
  notes?(): StatNote[];
}
