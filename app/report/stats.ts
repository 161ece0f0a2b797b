/** Per-data-set statistics and the statistics block in the original utility's layout. */
export interface DataSetStats {
  name: string;
  total: number;
  successful: number;
  failed: number;
  skipped: number;
  durationMs: number;
  /** Data-set-specific counts (DataSet.notes): a field of the structured line and a line of the block each. */
  notes?: StatNote[];
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
    `Total Records:    ${stats.total}`,
    `Successful:       ${stats.successful}`,
    `Failed:           ${stats.failed}`,
    `Skipped:          ${stats.skipped}`,
    `Duration:         ${(stats.durationMs / 1000).toFixed(2)}s`,
    `Records/second:   ${recordsPerSecond(stats).toFixed(2)}`,
    ...(stats.notes ?? []).map((n) => n.line),
    rule,
  ].join('\n');
}

export function summaryTable(all: readonly DataSetStats[]): string {
  const header = ['DATA SET', 'TOTAL', 'OK', 'FAILED', 'SKIPPED', 'SECONDS', 'REC/S'];
  const rows = all.map((s) => [s.name, String(s.total), String(s.successful), String(s.failed), String(s.skipped), (s.durationMs / 1000).toFixed(2), recordsPerSecond(s).toFixed(1)]);
  const totals = all.reduce((acc, s) => ({ total: acc.total + s.total, ok: acc.ok + s.successful, failed: acc.failed + s.failed, skipped: acc.skipped + s.skipped }), { total: 0, ok: 0, failed: 0, skipped: 0 });
  rows.push(['ALL', String(totals.total), String(totals.ok), String(totals.failed), String(totals.skipped), '', '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The statistics block as fields of a structured log line (snake_case, like the other fields). */
export function statisticsFields(stats: DataSetStats): { total: number; successful: number; failed: number; skipped: number; duration_seconds: number; records_per_second: number; [note: string]: number } {
  return {
    ...Object.fromEntries((stats.notes ?? []).map((n) => [n.field, n.count])),
    total: stats.total,
    successful: stats.successful,
    failed: stats.failed,
    skipped: stats.skipped,
    duration_seconds: Math.round(stats.durationMs) / 1000,
    records_per_second: Math.round(recordsPerSecond(stats) * 100) / 100,
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
