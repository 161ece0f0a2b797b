import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reasonCode, reasonCounts, recordsPerSecond, statisticsBlock, statisticsFields, summaryTable, type DataSetStats } from '../../app/report/stats.js';

test('statistics block follows the original layout, then reasons and the error report', () => {
  const block = statisticsBlock({
    name: 'users', total: 1250, successful: 1248, failed: 2, skipped: 0, durationMs: 3210,
    report: { path: '/work/users_migration_errors.log', lines: 2, failed: { TRANSFORM: 2 }, skipped: {} },
  });
  assert.equal(block, [
    '='.repeat(60),
    'USERS MIGRATION STATISTICS',
    '='.repeat(60),
    'Total Records:    1250',
    'Successful:       1248',
    'Failed:           2',
    'Skipped:          0',
    'Duration:         3.21s',
    'Records/second:   388.79',
    'Failed reasons:   TRANSFORM 2',
    'Error report:     /work/users_migration_errors.log (2 lines)',
    '='.repeat(60),
  ].join('\n'));
});

test('statistics block: records from fewer source documents, no report lines', () => {
  const block = statisticsBlock({ name: 'payments_history', total: 6, sourceDocuments: 3, recordUnit: 'an entry of organizations.payments[]', successful: 6, failed: 0, skipped: 0, durationMs: 10, report: { path: '/w/payments_history_migration_errors.log', lines: 0, failed: {}, skipped: {} } });
  assert.match(block, /^Total Records: {4}6 \(from 3 source documents; a record is an entry of organizations\.payments\[\]\)$/m);
  assert.match(block, /^Error report: {5}none /m);
  assert.doesNotMatch(block, /reasons:/);
});

test('reason codes: the code, with the record context reason when there is one', () => {
  assert.equal(reasonCode('TRANSFORM', {}), 'TRANSFORM');
  assert.equal(reasonCode('SKIPPED', { reason: 'superseded', skipped: true }), 'SKIPPED:superseded');
});

test('counts by reason add up to the statistics: skips without a report line are ALREADY_IN_TARGET', () => {
  const stats = { failed: 3, skipped: 5, report: { path: '/w/x.log', lines: 5, failed: { TRANSFORM: 2, SINK_WRITE: 1 }, skipped: { 'INTEGRITY:missing-organization': 2 } } };
  const { failed, skipped } = reasonCounts(stats);
  assert.deepEqual(failed, { TRANSFORM: 2, SINK_WRITE: 1 });
  assert.deepEqual(skipped, { 'INTEGRITY:missing-organization': 2, ALREADY_IN_TARGET: 3 });
  // A failure the report does not hold stays visible.
  assert.deepEqual(reasonCounts({ failed: 1, skipped: 0 }).failed, { UNREPORTED: 1 });
});

test('statistics fields name the report and the reasons', () => {
  const f = statisticsFields({ name: 'a', total: 4, sourceDocuments: 2, successful: 3, failed: 1, skipped: 0, durationMs: 1000, report: { path: '/w/a_migration_errors.log', lines: 1, failed: { TRANSFORM: 1 }, skipped: {} } });
  assert.equal(f.error_report, '/w/a_migration_errors.log');
  assert.equal(f.error_report_lines, 1);
  assert.equal(f.source_documents, 2);
  assert.deepEqual(f.failed_by_reason, { TRANSFORM: 1 });
  assert.deepEqual(f.skipped_by_reason, {});
  assert.equal(statisticsFields({ name: 'b', total: 1, successful: 1, failed: 0, skipped: 0, durationMs: 1, report: { path: '/w/b.log', lines: 0, failed: {}, skipped: {} } }).error_report, null);
  // Statistics that come without a report (catch-up's counts) keep the original fields and block.
  const bare = { name: 'c', total: 2, successful: 1, failed: 1, skipped: 0, durationMs: 1 };
  assert.equal('error_report' in statisticsFields(bare), false);
  assert.doesNotMatch(statisticsBlock(bare), /Error report|reasons/);
});

test('records per second is zero for an instant task', () => {
  assert.equal(recordsPerSecond({ successful: 10, durationMs: 0 }), 0);
});

test('summary table adds a total row, then documents vs records and each error report with its reasons', () => {
  const all: DataSetStats[] = [
    { name: 'organizations', total: 3, successful: 3, failed: 0, skipped: 0, durationMs: 1000, report: { path: '/w/organizations_migration_errors.log', lines: 0, failed: {}, skipped: {} } },
    { name: 'payments_history', total: 6, sourceDocuments: 3, successful: 6, failed: 0, skipped: 0, durationMs: 1000 },
    { name: 'usage_records', total: 10, successful: 8, failed: 1, skipped: 1, durationMs: 2000, report: { path: '/w/usage_records_migration_errors.log', lines: 2, failed: { TRANSFORM: 1 }, skipped: { SKIPPED: 1 } } },
  ];
  const lines = summaryTable(all).split('\n');
  const allRow = lines.findIndex((l) => l.startsWith('ALL'));
  assert.match(lines[allRow] as string, /^ALL\s+19\s+17\s+1\s+1/);
  const notes = lines.slice(allRow + 1);
  assert.match(notes[0] as string, /^Records vs source documents: 19 records from 16 source documents; payments_history: 6 records from 3 documents/);
  assert.equal(notes[1], 'Error reports (one JSON line per failed or skipped record) in /w:');
  assert.equal(notes[2], '  usage_records: failed 1: TRANSFORM 1; skipped 1: SKIPPED 1; usage_records_migration_errors.log (2 lines)');
  assert.equal(notes.length, 3);
});

test('summary table of a clean run says there are no error reports', () => {
  const lines = summaryTable([{ name: 'a', total: 1, successful: 1, failed: 0, skipped: 0, durationMs: 1 }]).split('\n');
  assert.equal(lines.at(-1), 'Error reports: none (no record failed or was skipped)');
});
