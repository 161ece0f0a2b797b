import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordsPerSecond, statisticsBlock, summaryTable } from '../../app/report/stats.js';

test('statistics block follows the original layout', () => {
  const block = statisticsBlock({ name: 'users', total: 1250, successful: 1248, failed: 2, skipped: 0, durationMs: 3210 });
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
    '='.repeat(60),
  ].join('\n'));
});

test('records per second is zero for an instant task', () => {
  assert.equal(recordsPerSecond({ successful: 10, durationMs: 0 }), 0);
});

test('summary table adds a total row', () => {
  const table = summaryTable([
    { name: 'organizations', total: 3, successful: 3, failed: 0, skipped: 0, durationMs: 1000 },
    { name: 'usage_records', total: 10, successful: 8, failed: 1, skipped: 1, durationMs: 2000 },
  ]);
  const last = table.split('\n').at(-1) as string;
  assert.match(last, /^ALL\s+13\s+11\s+1\s+1/);
});
