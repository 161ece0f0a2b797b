import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alreadyMigratedNotice } from '../../app/run/already-migrated.js';

test('a completed migration: one line naming when it finished and the upgrade that switches the hook off', () => {
  const n = alreadyMigratedNotice({ finishedAt: new Date('2026-11-30T08:15:00Z'), updatedAt: new Date('2026-11-30T08:15:00Z'), runs: 2 }, 'testkube');
  assert.equal(n.message, 'migration already completed');
  assert.deepEqual(n.fields, {
    finished_at: '2026-11-30T08:15:00.000Z',
    runs: 2,
    action: 'nothing was written; switch the migration hook off: helm upgrade testkube <chart> --reuse-values --set mongoToPostgresMigration.enabled=false (`mongo2pg verify` checks the data; CONVERT_SKIP_EXISTING=true loads into it again on purpose)',
  });
  assert.equal(n.summary, 'already completed at 2026-11-30T08:15:00.000Z: nothing to do, switch mongoToPostgresMigration.enabled off');
});

test('without a release name the command shows a placeholder; without finishedAt the last update is the time', () => {
  const n = alreadyMigratedNotice({ finishedAt: null, updatedAt: new Date('2026-11-30T09:00:00Z'), runs: 1 }, '');
  assert.match(String(n.fields.action), /helm upgrade <release> <chart> --reuse-values/);
  assert.equal(n.fields.finished_at, '2026-11-30T09:00:00.000Z');
});
