/**
 * `<name>_migration_errors.log` in the work dir: one JSON object per line with record id, time,
 * error and context. A run that writes to PostgreSQL stores its records in
 * mongo2pg.failed_records (failure-records.ts) and renders the file from there, so the file
 * always holds exactly this target's records; a dry run, which writes nothing to PostgreSQL,
 * writes the file directly. Data sets without failures leave no file.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { ReportWriteError } from '../errors.js';
import type { Pool } from '../sink/postgres.js';
import { clearFailures, ensureFailureTable, outcomeOf, renderReport, storeFailures } from './failure-records.js';
import { emptyTally, tallyRecord, type ReportSummary, type ReportTally } from './stats.js';

export interface FailedRecord {
  id: string;
  error: string;
  code: string;
  context?: Record<string, unknown>;
}

/** Records buffered before they are stored in one statement. */
const STORE_BATCH = 1000;

export class ErrorReport {
  private stream: WriteStream | null = null;
  private pending: FailedRecord[] = [];
  private storing: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  /** Lines written directly (a dry run); a stored report is counted when it is rendered. */
  private readonly written: ReportTally = emptyTally();
  count = 0;
  /** What the file holds, once close() has written it. */
  summary: ReportSummary | undefined;

  /** `pool`: store in PostgreSQL (and render the file from it); without it, write the file directly. */
  constructor(readonly dir: string, readonly dataSet: string, private readonly redact: (s: string) => string = (s) => s, private readonly pool?: Pool) {}

  /**
   * A report for a data set that is (re)done whole in this run: its stored records from an
   * earlier run are forgotten, the ones of this run replace them.
   */
  static async startOver(dir: string, dataSet: string, redact: (s: string) => string, pool: Pool | undefined): Promise<ErrorReport> {
    if (pool) {
      await ensureFailureTable(pool);
      await clearFailures(pool, dataSet);
    }
    return new ErrorReport(dir, dataSet, redact, pool);
  }

  /** Absolute, so the statistics and the log name a file an operator can open as printed. */
  get path(): string {
    return resolve(this.dir, `${this.dataSet}_migration_errors.log`);
  }

  record(failure: FailedRecord): void {
    this.count++;
    if (this.pool) {
      this.pending.push(failure);
      if (this.pending.length >= STORE_BATCH) void this.flush().catch(() => undefined);
      return;
    }
    // A report that cannot be written (issue 13, D9: EACCES, a full disk) must not end the
    // process from an unhandled 'error' event: the first error is kept and close() throws it.
    if (this.failure) return;
    try {
      if (!this.stream) {
        mkdirSync(this.dir, { recursive: true });
        this.stream = createWriteStream(this.path, { flags: 'a' });
        this.stream.on('error', (err) => {
          this.failure ??= err;
        });
      }
      const line = { id: failure.id, timestamp: new Date().toISOString(), error: this.redact(failure.error), code: failure.code, data_set: this.dataSet, context: failure.context ?? {} };
      this.stream.write(`${JSON.stringify(line)}\n`);
      tallyRecord(this.written, outcomeOf(failure), failure.code, failure.context);
    } catch (err) {
      this.failure ??= err as Error;
    }
  }

  /** Stores what was recorded so far (in order with earlier calls). */
  flush(): Promise<void> {
    const pool = this.pool;
    if (!pool || this.pending.length === 0) return this.storing;
    const records = this.pending;
    this.pending = [];
    this.storing = this.storing.then(() => storeFailures(pool, this.dataSet, records, this.redact));
    return this.storing;
  }

  /**
   * Stores what is pending and writes the file (from the stored records, or the direct stream of
   * a dry run); throws ReportWriteError when the file could not be written.
   */
  async close(): Promise<void> {
    if (this.pool) {
      await this.flush();
      try {
        this.summary = { path: this.path, ...(await renderReport(this.pool, this.path, this.dataSet)) };
      } catch (err) {
        // The records are stored; only the file is missing, and the next run renders it again.
        if (typeof (err as NodeJS.ErrnoException).errno !== 'number') throw err;
        this.failure ??= err as Error;
      }
    } else {
      const stream = this.stream;
      this.stream = null;
      if (stream && !stream.destroyed) {
        await new Promise<void>((done) =>
          stream.end((err?: Error | null) => {
            if (err) this.failure ??= err;
            done();
          }),
        );
      }
      if (!this.failure) this.summary = { path: this.path, ...this.written };
    }
    if (this.failure) {
      const code = (this.failure as NodeJS.ErrnoException).code ?? this.failure.message;
      const lost = this.pool ? `the failed records of ${this.dataSet} are stored in mongo2pg.failed_records, but not in the file` : `${this.count} failed record(s) of ${this.dataSet} are not all reported`;
      throw new ReportWriteError(`could not write the error report ${this.path} (${code}): ${lost}; check CONVERT_WORK_DIR`, { cause: this.failure, context: { dataSet: this.dataSet, path: this.path } });
    }
  }
}
