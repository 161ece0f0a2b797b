/**
 * The records the error reports account for. Reports are appended to across runs (a resumed run
 * may report a record again, a record reported by an earlier run may have migrated since), so
 * lines are reduced to one outcome per record: keyed by collection and id (ids repeat across
 * per-organisation collections), the last line wins. Whether a reported record is really absent
 * from the target is decided by the verifier, not here.
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export type ReportedOutcome = 'failed' | 'skipped';

export interface ReportedRecord {
  id: string;
  collection: string | undefined;
  outcome: ReportedOutcome;
  code: string;
  error: string;
}

export class ReportedRecords {
  private readonly byKey = new Map<string, ReportedRecord>();
  /** Lines that were not JSON objects with an id (a truncated last line after a kill). */
  unreadable = 0;

  static key(collection: string | undefined, id: string): string {
    return `${collection ?? ''}\u0000${id}`;
  }

  add(record: ReportedRecord): void {
    const key = ReportedRecords.key(record.collection, record.id);
    this.byKey.delete(key);
    this.byKey.set(key, record);
  }

  /** The record's outcome; a report line without a collection matches the id in any collection. */
  get(collection: string, id: string): ReportedRecord | undefined {
    return this.byKey.get(ReportedRecords.key(collection, id)) ?? this.byKey.get(ReportedRecords.key(undefined, id));
  }

  all(): IterableIterator<ReportedRecord> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }
}

export function reportPath(workDir: string, dataSet: string): string {
  return join(workDir, `${dataSet}_migration_errors.log`);
}

export async function readReportedRecords(workDir: string, dataSet: string): Promise<ReportedRecords> {
  const out = new ReportedRecords();
  const path = reportPath(workDir, dataSet);
  if (!existsSync(path)) return out;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      out.unreadable++;
      continue;
    }
    const l = parsed as { id?: unknown; code?: unknown; error?: unknown; context?: Record<string, unknown> };
    if (typeof l.id !== 'string') {
      out.unreadable++;
      continue;
    }
    const context = l.context ?? {};
    // A dry run writes nothing, so what it reported says nothing about the target.
    if (context.dry_run === true) continue;
    out.add({
      id: l.id,
      collection: typeof context.collection === 'string' ? context.collection : undefined,
      outcome: context.skipped === true || l.code === 'SKIPPED' ? 'skipped' : 'failed',
      code: typeof l.code === 'string' ? l.code : '',
      error: typeof l.error === 'string' ? l.error : '',
    });
  }
  return out;
}
