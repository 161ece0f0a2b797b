import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { runDisjoint } from '../../app/util/disjoint.js';

interface Job { name: string; uses: string[]; ms: number }

/** Runs the jobs and records, for each, when it started and ended (in event order). */
async function trace(jobs: Job[], limit: number, fail?: string): Promise<{ events: string[]; error?: unknown }> {
  const events: string[] = [];
  try {
    await runDisjoint(jobs, limit, (j) => j.uses, async (j) => {
      events.push(`+${j.name}`);
      await sleep(j.ms);
      events.push(`-${j.name}`);
      if (j.name === fail) throw new Error(`${j.name} failed`);
    });
    return { events };
  } catch (error) {
    return { events, error };
  }
}

/** The largest number of jobs running at once, and whether two sharing a resource ever overlapped. */
function overlaps(events: string[], jobs: Job[]): { most: number; shared: boolean } {
  const running = new Set<string>();
  let most = 0;
  let shared = false;
  for (const e of events) {
    const name = e.slice(1);
    if (e.startsWith('+')) {
      const uses = jobs.find((j) => j.name === name)?.uses ?? [];
      for (const other of running) if ((jobs.find((j) => j.name === other)?.uses ?? []).some((r) => uses.includes(r))) shared = true;
      running.add(name);
      most = Math.max(most, running.size);
    } else running.delete(name);
  }
  return { most, shared };
}

test('runs up to the limit at once (3 here) and never two that share a resource; every job runs once', async () => {
  const jobs: Job[] = [
    { name: 'usage', uses: ['usage_records'], ms: 40 },
    { name: 'executions', uses: ['test_workflow_executions', 'test_workflows'], ms: 30 },
    { name: 'workflows', uses: ['test_workflows'], ms: 5 },
    { name: 'audit', uses: ['audit_log_events'], ms: 5 },
    { name: 'events', uses: ['events'], ms: 5 },
  ];
  const { events, error } = await trace(jobs, 3);
  assert.equal(error, undefined);
  assert.deepEqual(events.filter((e) => e.startsWith('+')).map((e) => e.slice(1)).sort(), jobs.map((j) => j.name).sort());
  const o = overlaps(events, jobs);
  assert.equal(o.most, 3);
  assert.equal(o.shared, false);
  // `workflows` waited for `executions` (shared table) while `audit` went past it.
  assert.ok(events.indexOf('+workflows') > events.indexOf('-executions'));
  assert.ok(events.indexOf('+audit') < events.indexOf('+workflows'));
});

test('a limit of 1 runs them one after another, in order', async () => {
  const jobs: Job[] = [{ name: 'a', uses: ['x'], ms: 5 }, { name: 'b', uses: ['y'], ms: 1 }, { name: 'c', uses: [], ms: 1 }];
  const { events } = await trace(jobs, 1);
  assert.deepEqual(events, ['+a', '-a', '+b', '-b', '+c', '-c']);
});

test('after a failure nothing new starts, the running job finishes, the failure is thrown', async () => {
  const jobs: Job[] = [{ name: 'a', uses: ['x'], ms: 5 }, { name: 'b', uses: ['y'], ms: 30 }, { name: 'c', uses: ['z'], ms: 1 }];
  const { events, error } = await trace(jobs, 2, 'a');
  assert.match(String(error), /a failed/);
  assert.ok(events.includes('-b'), 'the running job finished');
  assert.ok(!events.includes('+c'), 'no job started after the failure');
});
