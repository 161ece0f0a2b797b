// Issue 13, D12: the MongoDB server stops answering mid-bulk (a FerretDB process of this test's
// own, frozen with SIGSTOP). The socket timeout fails the hung read, progress lines stop showing
// the old rate, "no progress for N s" is logged, and after CONVERT_STALL_TIMEOUT the run gives up
// with exit 4 (STALLED) instead of hanging.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabases, uniqueDatabaseName, type TestDatabases } from '../harness/index.js';
import { baseEnv } from '../helpers/cli.js';
import { restartableFerretDb, workDir, type RestartableMongo } from '../helpers/faults.js';
import { FAULT_SETTINGS, generate, phaseStarted, watch } from '../faults/trials.js';

let mongo: RestartableMongo;
const mongoDb = uniqueDatabaseName('source-frozen');

before(async () => {
  mongo = await restartableFerretDb();
  await generate({ mongoUrl: mongo.url, mongoDb });
});
after(async () => {
  mongo?.kill('SIGCONT');
  await mongo?.dispose();
});

test('MongoDB frozen (SIGSTOP) mid-bulk: "no progress" warnings, a falling rate, then exit 4 STALLED, no hang', { timeout: 180_000 }, async () => {
  const target: TestDatabases = await createTestDatabases('source-frozen');
  const stallSeconds = 12;
  const run = watch(['migrate'], {
    ...baseEnv(target, workDir()), ...FAULT_SETTINGS, API_MONGO_DSN: mongo.url, API_MONGO_DB: mongoDb,
    API_MONGO_SOCKET_TIMEOUT: '3s', CONVERT_STALL_TIMEOUT: `${stallSeconds}s`, PROGRESS_INTERVAL: '1s',
  });
  let frozenAt = 0;
  try {
    assert.ok(await run.waitFor(phaseStarted('bulk')), 'the bulk phase started');
    const pool = new pg.Pool({ connectionString: target.pgUrl, max: 1 });
    try {
      // Some chunks committed, so there is a rate to go stale.
      for (;;) {
        const { rows } = await pool.query<{ n: string }>('SELECT coalesce(sum(migrated), 0)::text AS n FROM mongo2pg.bulk_progress').catch(() => ({ rows: [{ n: '0' }] }));
        if (Number(rows[0]?.n) >= 80 || run.child.exitCode !== null) break;
        await sleep(5);
      }
    } finally {
      await pool.end();
    }
    assert.equal(run.child.exitCode, null, 'still running when the source froze');
    mongo.kill('SIGSTOP');
    frozenAt = Date.now();
    const result = await run.done;
    const seconds = (Date.now() - frozenAt) / 1000;
    assert.equal(result.code, 4, result.stdout.slice(-3000) + result.stderr);
    const last = run.lines.findLast((l) => l.level === 'error' && l.code !== undefined);
    assert.equal(last?.code, 'STALLED', JSON.stringify(last));
    assert.match(String(last?.message), new RegExp(`no progress for \\d+ s in the bulk phase \\(CONVERT_STALL_TIMEOUT ${stallSeconds} s\\)`));
    assert.ok(seconds < stallSeconds + 60, `gave up in ${seconds} s`);
    // Warnings before giving up, from a quarter of the timeout on.
    const warnings = run.lines.filter((l) => l.kind === 'stall' && l.level === 'warn');
    assert.ok(warnings.length >= 2, `"no progress" warnings: ${warnings.length}`);
    assert.match(String(warnings[0]?.message), /^no progress for \d+ s$/);
    assert.ok(Number(warnings[0]?.quiet_seconds) >= stallSeconds / 4);
    // Progress lines keep coming, and their rate falls instead of repeating the last speed.
    const progress = run.lines.filter((l) => l.message === 'task progress' && l.phase === 'bulk' && Date.parse(String(l.timestamp)) >= frozenAt + 3000);
    assert.ok(progress.length > 0, 'progress lines after the freeze');
    const byTask = new Map<string, number[]>();
    for (const l of progress) byTask.set(String(l.task), [...(byTask.get(String(l.task)) ?? []), Number(l.records_per_second)]);
    for (const [task, rates] of byTask) {
      if (rates.length < 2) continue;
      assert.ok((rates.at(-1) as number) < (rates[0] as number) || rates.at(-1) === 0, `${task}: the rate falls while nothing moves: ${rates.join(', ')}`);
    }
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
    mongo.kill('SIGCONT');
    await target.cleanup();
  }
});
