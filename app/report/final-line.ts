/**
 * The run's last log line: where everything is. The error reports (directory and files), the
 * verification result and whether the metrics reached the Pushgateway (the final push confirmed
 * or not). Pure: main gathers the facts and logs the line after the final progress updates.
 */
import type { DataSetStats } from './stats.js';

export type VerificationOutcome = 'passed' | 'failed' | 'skipped' | 'not-run';

export type MetricsOutcome =
  | { state: 'off' }
  /** `pushed`: the final push succeeded; `failed`: it did not; `pending`: not answered in time. */
  | { state: 'pushed' | 'failed' | 'pending'; url: string; error?: string };

export interface FinalLineInput {
  ok: boolean;
  exitCode: number;
  /** The work dir (absolute): where the error reports are written. */
  reportDir: string;
  stats: readonly DataSetStats[];
  verification: VerificationOutcome;
  /** Why verification did not run, when it did not (`CONVERT_VERIFY=false`, `dry run`, …). */
  verificationNote?: string;
  metrics: MetricsOutcome;
}

export interface FinalLine {
  message: 'run finished';
  fields: {
    result: 'succeeded' | 'failed';
    exit_code: number;
    report_dir: string;
    error_reports: { task: string; path: string; lines: number }[];
    verification: VerificationOutcome;
    metrics: 'pushed' | 'push failed' | 'push not confirmed' | 'off';
    metrics_url?: string;
  };
  text: string;
}

export function finalLine(input: FinalLineInput): FinalLine {
  const reports = input.stats.flatMap((s) => (s.report && s.report.lines > 0 ? [{ task: s.name, path: s.report.path, lines: s.report.lines }] : []));
  const reportText =
    reports.length === 0
      ? `no error reports (none needed) in ${input.reportDir}`
      : `${reports.length} error report${reports.length === 1 ? '' : 's'} in ${input.reportDir} (${reports.map((r) => `${r.path.slice(r.path.lastIndexOf('/') + 1)} ${r.lines} line${r.lines === 1 ? '' : 's'}`).join(', ')})`;
  const verificationText = {
    passed: 'verification passed',
    failed: 'verification FAILED (differences above)',
    skipped: `verification skipped${input.verificationNote ? ` (${input.verificationNote})` : ''}`,
    'not-run': `verification not run${input.verificationNote ? ` (${input.verificationNote})` : ''}`,
  }[input.verification];
  const m = input.metrics;
  const metrics = m.state === 'off' ? 'off' : m.state === 'pushed' ? 'pushed' : m.state === 'failed' ? 'push failed' : 'push not confirmed';
  const metricsText =
    m.state === 'off'
      ? 'metrics not pushed (PUSHGATEWAY_URL not set)'
      : m.state === 'pushed'
        ? `metrics pushed to ${m.url} (final push succeeded)`
        : m.state === 'failed'
          ? `metrics: final push to ${m.url} FAILED${m.error ? ` (${m.error})` : ''}`
          : `metrics: final push to ${m.url} not confirmed in time`;
  const result = input.ok ? 'succeeded' : 'failed';
  return {
    message: 'run finished',
    fields: {
      result,
      exit_code: input.exitCode,
      report_dir: input.reportDir,
      error_reports: reports,
      verification: input.verification,
      metrics,
      ...(m.state === 'off' ? {} : { metrics_url: m.url }),
    },
    text: `run ${result} (exit ${input.exitCode}): ${reportText}; ${verificationText}; ${metricsText}`,
  };
}
