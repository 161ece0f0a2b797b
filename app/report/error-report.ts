/**
 * `<name>_migration_errors.log` in the work dir: one JSON object per line with record id, time,
 * error and context. Opened on the first failure, so data sets without failures leave no file.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { ReportWriteError } from '../errors.js';

export interface FailedRecord {
  id: string;
  error: string;
  code: string;
  context?: Record<string, unknown>;
}

export class ErrorReport {
  private stream: WriteStream | null = null;
  count = 0;

  constructor(readonly dir: string, readonly dataSet: string, private readonly redact: (s: string) => string = (s) => s) {}

  get path(): string {
    return join(this.dir, `${this.dataSet}_migration_errors.log`);
  }

  record(failure: FailedRecord): void {
    this.count++;
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
    } catch (err) {
      this.failure ??= err as Error;
    }
  }

  private failure: Error | undefined;

  /** Flushes the report; throws ReportWriteError when any of it could not be written. */
  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (stream && !stream.destroyed) {
      await new Promise<void>((resolve) =>
        stream.end((err?: Error | null) => {
          if (err) this.failure ??= err;
          resolve();
        }),
      );
    }
    if (this.failure) {
      const code = (this.failure as NodeJS.ErrnoException).code ?? this.failure.message;
      throw new ReportWriteError(`could not write the error report ${this.path} (${code}): ${this.count} failed record(s) of ${this.dataSet} are not all reported; check CONVERT_WORK_DIR`, { cause: this.failure, context: { dataSet: this.dataSet, path: this.path } });
    }
  }
}
