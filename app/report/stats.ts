/** Per-data-set statistics and the statistics block in the original utility's layout. */
import { basename, dirname } from 'node:path';

export interface DataSetStats {
  name: string;
  /** Records: source documents, or the records inside them for a data set that explodes documents. */
  total: number;
  /** Source documents read, when that differs from `total` (payments history: organisations). */
  sourceDocuments?: number;
  /** What one record is when a document holds several (DataSet.recordUnit). */
  recordUnit?: string;
  /** The data set that counts the documents these records sit in (DataSet.documentsOf). */
  documentsOf?: string;
  /** The error report as written when the data set finished (absent when it was not written). */
  report?: ReportSummary;
  successful: number;
  failed: number;
  skipped: number;
  durationMs: number;
  /** Data-set-specific counts (DataSet.notes): a field of the structured line and a line of the block each. */
  notes?: StatNote[];
}

/** Counts of a report's lines by outcome and reason code (`TRANSFORM`, `SKIPPED:superseded`). */
export interface ReportTally {
  lines: number;
  failed: Record<string, number>;
  skipped: Record<string, number>;
}

export interface ReportSummary extends ReportTally {
  /** Absolute path of `<name>_migration_errors.log` (the file exists only when `lines` > 0). */
  path: string;
}

export function emptyTally(): ReportTally {
  return { lines: 0, failed: {}, skipped: {} };
}

/** A failure record's reason code: its error code, with the record's `context.reason` when it has one. */
export function reasonCode(code: string, context: Record<string, unknown> | undefined): string {
  const reason = context?.reason;
  return typeof reason === 'string' && reason !== '' ? `${code}:${reason}` : code;
}

export function tallyRecord(tally: ReportTally, outcome: 'failed' | 'skipped', code: string, context: Record<string, unknown> | undefined): void {
  tally.lines++;
  const key = reasonCode(code, context);
  tally[outcome][key] = (tally[outcome][key] ?? 0) + 1;
}

/**
 * Failed and skipped counts by reason code, adding up to the statistics' counts. Records skipped
 * because the target already held them (CONVERT_SKIP_EXISTING, a resumed run) have no report line:
 * they show as ALREADY_IN_TARGET. Failures without a report line (there should be none) show as
 * UNREPORTED rather than disappear from the sum.
 */
export function reasonCounts(stats: Pick<DataSetStats, 'failed' | 'skipped' | 'report'>): { failed: Record<string, number>; skipped: Record<string, number> } {
  const failed = { ...(stats.report?.failed ?? {}) };
  const skipped = { ...(stats.report?.skipped ?? {}) };
  const rest = (map: Record<string, number>, total: number, label: string): void => {
    const n = total - Object.values(map).reduce((a, b) => a + b, 0);
    if (n > 0) map[label] = n;
  };
  rest(failed, stats.failed, 'UNREPORTED');
  rest(skipped, stats.skipped, 'ALREADY_IN_TARGET');
  return { failed, skipped };
}

/** `SKIPPED:superseded 10, SKIPPED:test-suite 6` (largest first), or `none`. */
export function formatReasons(map: Record<string, number>): string {
  const entries = Object.entries(map).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}

/** `6 (from 3 source documents; a record is an entry of organizations.payments[])`, or just the count. */
function recordsText(stats: DataSetStats): string {
  if (stats.sourceDocuments === undefined || stats.sourceDocuments === stats.total) return String(stats.total);
  return `${stats.total} (from ${stats.sourceDocuments} source documents${stats.recordUnit ? `; a record is ${stats.recordUnit}` : ''})`;
}

function reportText(stats: DataSetStats & { report: ReportSummary }): string {
  if (stats.report.lines === 0) return 'none (no failed or skipped record to report)';
  return `${stats.report.path} (${stats.report.lines} line${stats.report.lines === 1 ? '' : 's'})`;
}

export interface StatNote {
  field: string;
  count: number;
  line: string;
}

export function recordsPerSecond(stats: Pick<DataSetStats, 'successful' | 'durationMs'>): number {
  return stats.durationMs > 0 ? stats.successful / (stats.durationMs / 1000) : 0;
}

export function statisticsBlock(stats: DataSetStats): string {
  const rule = '='.repeat(60);
  return [
    rule,
    `${stats.name.replaceAll('_', ' ').toUpperCase()} MIGRATION STATISTICS`,
    rule,
    `Total Records:    ${recordsText(stats)}`,
    `Successful:       ${stats.successful}`,
    `Failed:           ${stats.failed}`,
    `Skipped:          ${stats.skipped}`,
    `Duration:         ${(stats.durationMs / 1000).toFixed(2)}s`,
    `Records/second:   ${recordsPerSecond(stats).toFixed(2)}`,
    ...(stats.notes ?? []).map((n) => n.line),
    // Statistics without a report (a caller that keeps none, e.g. catch-up's own counts) keep the original block.
    ...(stats.report ? [...reasonLines(stats), `Error report:     ${reportText({ ...stats, report: stats.report })}`] : []),
    rule,
  ].join('\n');
}

function reasonLines(stats: DataSetStats): string[] {
  const { failed, skipped } = reasonCounts(stats);
  return [...(stats.failed > 0 ? [`Failed reasons:   ${formatReasons(failed)}`] : []), ...(stats.skipped > 0 ? [`Skipped reasons:  ${formatReasons(skipped)}`] : [])];
}

export function summaryTable(all: readonly DataSetStats[]): string {
  const header = ['DATA SET', 'TOTAL', 'OK', 'FAILED', 'SKIPPED', 'SECONDS', 'REC/S'];
  const rows = all.map((s) => [s.name, String(s.total), String(s.successful), String(s.failed), String(s.skipped), (s.durationMs / 1000).toFixed(2), recordsPerSecond(s).toFixed(1)]);
  const totals = all.reduce((acc, s) => ({ total: acc.total + s.total, ok: acc.ok + s.successful, failed: acc.failed + s.failed, skipped: acc.skipped + s.skipped }), { total: 0, ok: 0, failed: 0, skipped: 0 });
  rows.push(['ALL', String(totals.total), String(totals.ok), String(totals.failed), String(totals.skipped), '', '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...summaryNotes(all)].join('\n');
}

/**
 * Below the table: how records relate to source documents, and, per data set with failed or
 * skipped records, its counts by reason code and its error report (absolute path, line count).
 */
export function summaryNotes(all: readonly DataSetStats[]): string[] {
  const notes: string[] = [];
  const t = totalsOf(all);
  // Documents another data set migrates too (organisations holding payments) are counted once.
  const documents = all.reduce((n, s) => n + (s.documentsOf && all.some((o) => o.name === s.documentsOf) ? 0 : (s.sourceDocuments ?? s.total)), 0);
  const exploded = all.filter((s) => s.sourceDocuments !== undefined && s.sourceDocuments !== s.total);
  if (exploded.length > 0) {
    const each = exploded.map((s) => {
      const about = [...(s.recordUnit ? [`a record is ${s.recordUnit}`] : []), ...(s.documentsOf ? [`the documents are counted under ${s.documentsOf}`] : [])];
      return `${s.name}: ${s.total} records from ${s.sourceDocuments} documents${about.length > 0 ? ` (${about.join('; ')})` : ''}`;
    });
    notes.push(`Records vs source documents: ${t.total} records from ${documents} source documents; ${each.join('; ')}; every other data set: one record per document`);
  }
  const withFailures = all.filter((s) => s.failed > 0 || s.skipped > 0);
  if (withFailures.length === 0) {
    notes.push('Error reports: none (no record failed or was skipped)');
    return notes;
  }
  const dirs = [...new Set(withFailures.flatMap((s) => (s.report && s.report.lines > 0 ? [dirname(s.report.path)] : [])))];
  notes.push(`Error reports (one JSON line per failed or skipped record)${dirs.length === 1 ? ` in ${dirs[0]}` : ''}:`);
  for (const s of withFailures) {
    const { failed, skipped } = reasonCounts(s);
    const file = !s.report ? 'report not written' : s.report.lines === 0 ? 'no report lines' : `${dirs.length === 1 ? basename(s.report.path) : s.report.path} (${s.report.lines} lines)`;
    const parts = [...(s.failed > 0 ? [`failed ${s.failed}: ${formatReasons(failed)}`] : []), ...(s.skipped > 0 ? [`skipped ${s.skipped}: ${formatReasons(skipped)}`] : [])];
    notes.push(`  ${s.name}: ${parts.join('; ')}; ${file}`);
  }
  return notes;
}

export interface StatisticsFields {
  total: number;
  /** Present when it differs from `total` (a document holds several records). */
  source_documents?: number;
  /** The data set that counts those documents (payments history: organizations). */
  documents_of?: string;
  successful: number;
  failed: number;
  skipped: number;
  duration_seconds: number;
  records_per_second: number;
  /** These four are present when the statistics come with their error report (migrate). */
  failed_by_reason?: Record<string, number>;
  skipped_by_reason?: Record<string, number>;
  /** Absolute path of the error report; null when the data set has none (no report line). */
  error_report?: string | null;
  error_report_lines?: number;
  [note: string]: number | string | null | Record<string, number> | undefined;
}

/** The statistics block as fields of a structured log line (snake_case, like the other fields). */
export function statisticsFields(stats: DataSetStats): StatisticsFields {
  const { failed, skipped } = reasonCounts(stats);
  return {
    ...Object.fromEntries((stats.notes ?? []).map((n) => [n.field, n.count])),
    total: stats.total,
    ...(stats.sourceDocuments !== undefined && stats.sourceDocuments !== stats.total ? { source_documents: stats.sourceDocuments } : {}),
    ...(stats.documentsOf ? { documents_of: stats.documentsOf } : {}),
    successful: stats.successful,
    failed: stats.failed,
    skipped: stats.skipped,
    duration_seconds: Math.round(stats.durationMs) / 1000,
    records_per_second: Math.round(recordsPerSecond(stats) * 100) / 100,
    ...(stats.report
      ? { failed_by_reason: failed, skipped_by_reason: skipped, error_report: stats.report.lines > 0 ? stats.report.path : null, error_report_lines: stats.report.lines }
      : {}),
  };
}

/** Sums over data sets, for the summary line and the run's one-line result. */
export function totalsOf(all: readonly DataSetStats[]): { data_sets: number; total: number; successful: number; failed: number; skipped: number } {
  return all.reduce((acc, s) => ({ data_sets: acc.data_sets + 1, total: acc.total + s.total, successful: acc.successful + s.successful, failed: acc.failed + s.failed, skipped: acc.skipped + s.skipped }), { data_sets: 0, total: 0, successful: 0, failed: 0, skipped: 0 });
}

/**
 * One line for the Job annotation and the last log line: `succeeded: 2 data sets, 1030 records
 * (1028 migrated, 2 failed, 0 skipped) in 3.2s` — prefixed with the reason when the run failed.
 */
export function runSummaryLine(ok: boolean, all: readonly DataSetStats[], elapsedMs: number, reason?: string): string {
  const t = totalsOf(all);
  const counts = `${t.data_sets} data set${t.data_sets === 1 ? '' : 's'}, ${t.total} records (${t.successful} migrated, ${t.failed} failed, ${t.skipped} skipped) in ${(elapsedMs / 1000).toFixed(1)}s`;
  if (ok) return `succeeded: ${counts}`;
  return `failed: ${reason ? `${reason.replace(/\s*\n\s*/g, ' ')}; ` : ''}${counts}`;
}
