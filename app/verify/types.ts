/** What verification reports: per data set counts, what was compared, and every difference found. */

/** One difference between source and target; `id` is the record id used in the error reports. */
export interface Problem {
  kind:
    /** The accounting identity does not hold (source ≠ migrated + failed + skipped). */
    | 'count'
    /** A source record is neither in the target nor in an error report. */
    | 'missing'
    /** A record's row exists but a column differs from the transform's value. */
    | 'different'
    /** A table holds rows no source record produces (or a different number of rows). */
    | 'extra'
    /** PostgreSQL refuses the transform's value for a record no error report names. */
    | 'refused'
    /** Two source records claim the same target row. */
    | 'duplicate'
    /** The order-independent digest of a table differs from the expected rows'. */
    | 'digest';
  dataSet: string;
  table?: string;
  id?: string;
  collection?: string;
  /** The row's key (conflict key columns, as PostgreSQL prints them). */
  key?: string;
  column?: string;
  expected?: string;
  actual?: string;
  message: string;
}

export interface TableCheck {
  table: string;
  /** Rows the source produces for this table; undefined when only a sample was compared. */
  expectedRows?: number;
  actualRows: number;
  /** Order-independent digest (sum of per-row md5 prefixes) of the expected rows and of the table. */
  expectedDigest?: string;
  actualDigest?: string;
}

export interface DataSetVerification {
  name: string;
  /** full: every record re-transformed and compared; sample: counts plus a spread sample; changed: the records a catch-up wrote plus the sample; sequences: recomputed per scope. */
  mode: 'full' | 'sample' | 'changed' | 'sequences';
  /** Records in the source (after CONVERT_SINCE and explode). */
  source: number;
  /** Records with their rows in the target. */
  migrated: number;
  /** Records reported as failed (and absent from the target). */
  failed: number;
  /** Records reported as skipped (and absent from the target). */
  skipped: number;
  /** Records whose rows were compared column by column. */
  compared: number;
  /** Columns whose values a transform does not reproduce (random nonces …) and how they were checked. */
  nonReproducible: Array<{ table: string; column: string; check: 'equivalence' | 'presence' }>;
  problems: Problem[];
  /** Problems beyond those listed (the list is capped). */
  moreProblems: number;
  durationMs: number;
}

export interface VerificationReport {
  ok: boolean;
  dataSets: DataSetVerification[];
  tables: TableCheck[];
  /** Problems that concern a whole table (counts, digests, extra rows). */
  tableProblems: Problem[];
}
