/**
 * `<name>_migration_errors.log` in the work dir: one JSON object per line with record id, time,
 * error and context. Opened on the first failure, so data sets without failures leave no file.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

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
    if (!this.stream) {
      mkdirSync(this.dir, { recursive: true });
      this.stream = createWriteStream(this.path, { flags: 'a' });
    }
    this.count++;
    const line = { id: failure.id, timestamp: new Date().toISOString(), error: this.redact(failure.error), code: failure.code, data_set: this.dataSet, context: failure.context ?? {} };
    this.stream.write(`${JSON.stringify(line)}\n`);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = null;
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
