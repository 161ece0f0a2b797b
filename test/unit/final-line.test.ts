import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finalLine } from '../../app/report/final-line.js';
import type { DataSetStats } from '../../app/report/stats.js';

const stats: DataSetStats[] = [
  { name: 'users', total: 2, successful: 2, failed: 0, skipped: 0, durationMs: 1, report: { path: '/w/users_migration_errors.log', lines: 0, failed: {}, skipped: {} } },
  { name: 'execution_sequences', total: 46, successful: 30, failed: 0, skipped: 16, durationMs: 1, report: { path: '/w/execution_sequences_migration_errors.log', lines: 16, failed: {}, skipped: { 'SKIPPED:superseded': 16 } } },
];

test('the final line names the reports, the verification result and the final metrics push', () => {
  const line = finalLine({ ok: false, exitCode: 4, reportDir: '/w', stats, verification: 'passed', metrics: { state: 'pushed', url: 'http://pgw:9091' } });
  assert.equal(line.text, 'run failed (exit 4): 1 error report in /w (execution_sequences_migration_errors.log 16 lines); verification passed; metrics pushed to http://pgw:9091 (final push succeeded)');
  assert.deepEqual(line.fields.error_reports, [{ task: 'execution_sequences', path: '/w/execution_sequences_migration_errors.log', lines: 16 }]);
  assert.equal(line.fields.metrics, 'pushed');
  assert.equal(line.fields.report_dir, '/w');
});

test('the final line says when metrics are off, the push failed, or verification did not run', () => {
  const off = finalLine({ ok: true, exitCode: 0, reportDir: '/w', stats: [], verification: 'skipped', verificationNote: 'CONVERT_VERIFY=false', metrics: { state: 'off' } });
  assert.equal(off.text, 'run succeeded (exit 0): no error reports (none needed) in /w; verification skipped (CONVERT_VERIFY=false); metrics not pushed (PUSHGATEWAY_URL not set)');
  const failed = finalLine({ ok: false, exitCode: 5, reportDir: '/w', stats, verification: 'failed', metrics: { state: 'failed', url: 'http://pgw', error: 'ECONNREFUSED' } });
  assert.match(failed.text, /verification FAILED .*; metrics: final push to http:\/\/pgw FAILED \(ECONNREFUSED\)$/);
  assert.equal(failed.fields.metrics, 'push failed');
  const pending = finalLine({ ok: false, exitCode: 1, reportDir: '/w', stats: [], verification: 'not-run', verificationNote: 'the run stopped before it', metrics: { state: 'pending', url: 'http://pgw' } });
  assert.match(pending.text, /verification not run \(the run stopped before it\); metrics: final push to http:\/\/pgw not confirmed in time$/);
});
