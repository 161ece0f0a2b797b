/** Per-data-set statistics and the statistics block in the original utility's layout. */
export interface DataSetStats {
  name: string;
  total: number;
  successful: number;
  failed: number;
  skipped: number;
  durationMs: number;
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
