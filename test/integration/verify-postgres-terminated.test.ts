// Issue 13, D11: PostgreSQL ends the verification's session (pg_terminate_backend) while it runs.
// Verification only reads, so it is verified again from the start on a new session, as lost
// connections are retried elsewhere: the run ends as it would have (exit 0), never with exit 1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabases, PG_URL_ENV, type TestDatabases } from '../harness/index.js';
import { baseEnv } from '../helpers/cli.js';
import { workDir } from '../helpers/faults.js';
import { FAULT_FIXTURES, FAULT_SETTINGS, generate, watch } from '../faults/trials.js';

let source: TestDatabases;

before(async () => {
  source = await createTestDatabases('verify-pg-terminated-source');
  // No bad records: a run that completes ends 0.
  await generate(source, { ...FAULT_FIXTURES, messiness: 0, orphans: false, edgeCases: false });
});
after(async () => {
  await source?.cleanup();
});

test('the verification session terminated mid-verification: verified again, exit 0, not exit 1', async () => {
  const target = await createTestDatabases('verify-pg-terminated');
  const admin = new pg.Client({ connectionString: process.env[PG_URL_ENV] });
  await admin.connect();
  try {
    const database = new URL(target.pgUrl).pathname.slice(1);
    const run = watch(['migrate'], { ...baseEnv(target, workDir()), ...FAULT_SETTINGS, API_MONGO_DB: source.mongoDb });
    assert.ok(await run.waitFor((l) => l.message === 'verification started'), 'verification started');
    // End the run's PostgreSQL sessions (the verification holds one from 'verification started'
    // to its end), not the run lock's.
    let terminated = 0;
    while (terminated === 0 && run.child.exitCode === null) {
      const { rows } = await admin.query<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND application_name = 'mongo2pg' AND pid <> pg_backend_pid()`,
        [database],
      );
      terminated = rows.filter((r) => r.ok).length;
      if (terminated === 0) await sleep(2);
    }
    const r = await run.done;
    assert.ok(terminated > 0, 'a session was terminated during verification');
    assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr);
    assert.ok(run.lines.some((l) => l.message === 'verification interrupted by a connection error; verifying again from the start'), 'the retry is logged');
    assert.ok(run.lines.some((l) => l.message === 'verification finished' && l.ok === true));
  } finally {
    await admin.end();
    await target.cleanup();
  }
});
