// Issue 17: a catch-up's per-data-set counts (inserted / updated / deleted / unchanged) reach the
// Pushgateway metrics as mongo2pg_catchup_records{data_set, action}, from the same statistics the
// blocks print; a migrate run's data sets have none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catchUpStats } from '../../app/catchup/records.js';
import { RunMetrics } from '../../app/progress/metrics.js';
import { RunState } from '../../app/progress/run-state.js';
import { catchUpSummaryLine, catchUpTable } from '../../app/run/catch-up.js';
import { tablesWrittenBy } from '../../app/catchup/ownership.js';

async function samples(metrics: RunMetrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await metrics.registry.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

test('catch-up counts are metrics by data set and action; the phase is catch-up', async () => {
  const state = new RunState(0);
  state.plan(['users', 'usage_records']);
  state.setPhase('catch-up');
  state.start('users', 'records', 10, 0);
  state.finish(catchUpStats('users', 10, { inserted: 2, updated: 3, deleted: 1, unchanged: 4, failed: 1, skipped: 0 }, 1000), 1000);
  state.finish({ name: 'usage_records', total: 5, successful: 5, failed: 0, skipped: 0, durationMs: 100 }, 1100);
  const metrics = new RunMetrics();
  metrics.refresh(state, 1100);
  const m = await samples(metrics);
  assert.equal(m.get('mongo2pg_catchup_records{data_set="users",action="inserted"}'), 2);
  assert.equal(m.get('mongo2pg_catchup_records{data_set="users",action="updated"}'), 3);
  assert.equal(m.get('mongo2pg_catchup_records{data_set="users",action="deleted"}'), 1);
  assert.equal(m.get('mongo2pg_catchup_records{data_set="users",action="unchanged"}'), 4);
  assert.equal(m.get('mongo2pg_records{data_set="users",outcome="failed"}'), 1);
  assert.equal(m.has('mongo2pg_catchup_records{data_set="usage_records",action="inserted"}'), false);
  assert.equal(m.get('mongo2pg_phase{phase="catch-up"}'), 1);
});

test('the catch-up summary table lists every count and the totals', () => {
  const text = catchUpTable([
    { name: 'users', counts: { inserted: 2, updated: 3, deleted: 1, unchanged: 4, failed: 0, skipped: 0 }, durationMs: 1500 },
    { name: 'organizations', counts: { inserted: 0, updated: 1, deleted: 1, unchanged: 7, failed: 1, skipped: 2 }, durationMs: 500 },
  ]);
  const lines = text.split('\n');
  assert.match(lines[0] ?? '', /^DATA SET\s+INSERTED\s+UPDATED\s+DELETED\s+UNCHANGED\s+FAILED\s+SKIPPED\s+SECONDS$/);
  assert.match(lines[2] ?? '', /^users\s+2\s+3\s+1\s+4\s+0\s+0\s+1\.50$/);
  assert.match(lines[4] ?? '', /^ALL\s+2\s+4\s+2\s+11\s+1\s+2\s*$/);
});

test('tables a trigger function writes are read from its source', () => {
  const src = `BEGIN
    UPDATE test_workflow_executions SET status = NEW.status WHERE id = NEW.execution_id;
    INSERT INTO public."Audit" (x) VALUES (1);
    delete from only other_table where false;
    RETURN NEW;
  END;`;
  assert.deepEqual(tablesWrittenBy(src).sort(), ['Audit', 'other_table', 'test_workflow_executions']);
});

test('the catch-up one-line summary counts changes, says when nothing was written', () => {
  const counts = new Map([
    ['users', { inserted: 1, updated: 1, deleted: 1, unchanged: 4, failed: 0, skipped: 0 }],
    ['credentials', { inserted: 0, updated: 1, deleted: 2, unchanged: 1, failed: 1, skipped: 0 }],
  ]);
  assert.equal(catchUpSummaryLine(true, counts, 4400, false), 'succeeded: 2 data sets: 1 inserted, 2 updated, 3 deleted, 5 unchanged, 1 failed, 0 skipped in 4.4s');
  assert.match(catchUpSummaryLine(true, counts, 1000, true), /\(dry run: would change, nothing written\) in 1\.0s$/);
  assert.match(catchUpSummaryLine(false, counts, 1000, false, 'boom\nagain'), /^failed: boom again; 2 data sets/);
});
