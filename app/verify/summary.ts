/** Verification results for people (a table) and for the exit code (VerificationError). */
import { VerificationError } from '../errors.js';
import type { DataSetVerification, Problem, VerificationReport } from './types.js';

/** Problems quoted in the error message; all of them are in the log lines and the error's context. */
const IN_MESSAGE = 5;

export function verificationTable(report: VerificationReport): string {
  const header = ['DATA SET', 'MODE', 'SOURCE', 'MIGRATED', 'FAILED', 'SKIPPED', 'COMPARED', 'RESULT'];
  const rows = report.dataSets.map((d) => [d.name, d.mode, String(d.source), String(d.migrated), String(d.failed), String(d.skipped), String(d.compared), verdict(d)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 || i === 7 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const p of report.tableProblems) out.push(`table ${p.table}: ${p.message}`);
  out.push(report.ok ? 'verification: source and target agree' : `verification: ${problemCount(report)} difference(s) found`);
  return out.join('\n');
}

function verdict(d: DataSetVerification): string {
  const n = d.problems.length + d.moreProblems;
  return n === 0 ? 'ok' : `${n} difference(s)`;
}

export function problemCount(report: VerificationReport): number {
  return report.dataSets.reduce((n, d) => n + d.problems.length + d.moreProblems, 0) + report.tableProblems.length;
}

export function allProblems(report: VerificationReport): Problem[] {
  return [...report.dataSets.flatMap((d) => d.problems), ...report.tableProblems];
}

/** The error `main` maps to exit code 5: names the data sets, ids and differences. */
export function verificationError(report: VerificationReport): VerificationError {
  const problems = allProblems(report);
  const dataSets = [...new Set(problems.map((p) => p.dataSet))];
  const shown = problems.slice(0, IN_MESSAGE).map((p) => `${p.dataSet}: ${p.message}`);
  const more = problemCount(report) - shown.length;
  return new VerificationError(
    `verification found ${problemCount(report)} difference(s) between source and target in ${dataSets.join(', ')}: ${shown.join('; ')}${more > 0 ? `; and ${more} more (see the log)` : ''}`,
    { context: { dataSets, problems: problems.slice(0, 50) } },
  );
}
