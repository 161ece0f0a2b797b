/**
 * What an operator reads with `kubectl logs` (and a log collector parses): the built CLI in JSON
 * mode writes one JSON object per stdout line — start lines, progress lines, the structured
 * statistics and the original's statistics block, the run summary — and the statistics are the
 * database's truth. Text mode shows the block in the original layout.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId } from 'mongodb';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../test/harness/index.js';
import { MASTER_PASSWORD, baseEnv, runCli } from '../test/helpers/cli.js';
import { seedOrganizations, seedUsage, withMongo } from '../test/helpers/seed.js';

const ORGS = 3;
/** seedOrganizations gives each organisation two environments. */
const ENVS = ORGS * 2;
const USAGE = 3000;
/** A password in the DSN that must never reach the output (the test server trusts local users). */
const DSN_PASSWORD = 'Dsn-Pa55word-must-not-leak';

let db: TestDatabases;
let workDir: string;

before(async () => {
  db = await createTestDatabases('logs-json');
  workDir = mkdtempSync(join(tmpdir(), 'logs-json-'));
  await withMongo(db.mongoUrl, db.mongoDb, async (m) => {
    await seedOrganizations(m, ORGS);
    await seedUsage(m, USAGE);
    // One usage document without a value: a record-level failure, reported, not migrated.
    await m.collection('usage').insertOne({ _id: new ObjectId(), organizationId: 'tkcorg_0000000000000000', metric: 'execution_minutes', timestamp: new Date('2025-03-01T00:00:00Z') });
  });
});

after(async () => {
  await db?.cleanup();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function withPassword(url: string): string {
  const u = new URL(url);
  if (u.password === '') u.password = DSN_PASSWORD;
  return u.toString();
}

async function tableCount(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

type Line = Record<string, unknown>;

test('JSON mode: every stdout line is a JSON object and the statistics match the database', async () => {
  const pgUrl = withPassword(db.pgUrl);
  const result = await runCli(['migrate'], {
    ...baseEnv({ ...db, pgUrl }, workDir),
    LOG_FORMAT: 'json',
    PROGRESS_INTERVAL: '100ms',
    CONVERT_BULK_WRITE_SIZE: '250',
    CONVERT_BULK_READ_SIZE: '250',
  });
  // One record failed: the run completes and says so with exit code 4.
  assert.equal(result.code, 4, result.stderr + result.stdout.slice(-3000));

  const rawLines = result.stdout.split('\n');
  assert.equal(rawLines.at(-1), '', 'output ends with a newline');
  const lines: Line[] = rawLines.slice(0, -1).map((raw, i) => {
    let parsed: unknown;
    assert.doesNotThrow(() => (parsed = JSON.parse(raw)), `stdout line ${i + 1} is not JSON: ${raw}`);
    assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), `line ${i + 1} is not an object`);
    const line = parsed as Line;
    assert.equal(typeof line.level, 'string');
    assert.equal(typeof line.message, 'string');
    assert.ok(!Number.isNaN(Date.parse(String(line.timestamp))), `line ${i + 1} has a timestamp`);
    return line;
  });

  // Nothing secret anywhere in the output.
  for (const secret of [DSN_PASSWORD, MASTER_PASSWORD]) {
    assert.ok(!result.stdout.includes(secret), 'stdout leaks a secret');
    assert.ok(!result.stderr.includes(secret), 'stderr leaks a secret');
  }

  // A start line for every task, naming the source collection(s); a finished line for each.
  const started = lines.filter((l) => l.message === 'task started');
  const finished = lines.filter((l) => l.message === 'task finished');
  assert.deepEqual(started.map((l) => l.task).sort(), finished.map((l) => l.task).sort());
  for (const l of started) assert.equal(typeof l.source, 'string', `source of ${String(l.task)}`);
  assert.equal(started.find((l) => l.task === 'organizations')?.source, 'organizations');
  assert.equal(started.find((l) => l.task === 'usage_records')?.source, 'usage');

  // Periodic progress lines with done/total, percent, rate and ETA.
  const progress = lines.filter((l) => l.message === 'task progress' && l.task === 'usage_records');
  assert.ok(progress.length >= 1, 'at least one progress line for usage_records');
  for (const p of progress) {
    assert.equal(p.total, USAGE + 1);
    assert.ok(typeof p.done === 'number' && p.done <= USAGE + 1);
    assert.ok(p.percent === null || (typeof p.percent === 'number' && p.percent >= 0 && p.percent <= 100));
    assert.equal(typeof p.records_per_second, 'number');
    assert.ok(p.eta_seconds === null || typeof p.eta_seconds === 'number');
  }

  // Structured statistics equal the database (and the error report).
  type Statistics = { total: number; successful: number; failed: number; skipped: number; duration_seconds: number; records_per_second: number };
  const stats = (task: string): Statistics => {
    const line = lines.find((l) => l.message === 'task finished' && l.task === task);
    assert.ok(line, `task finished line for ${task}`);
    return line.statistics as Statistics;
  };
  const orgs = stats('organizations');
  assert.deepEqual({ total: orgs.total, successful: orgs.successful, failed: orgs.failed, skipped: orgs.skipped }, { total: ORGS, successful: await tableCount(db.pgUrl, 'organizations'), failed: 0, skipped: 0 });
  const envs = stats('environments');
  assert.deepEqual({ total: envs.total, successful: envs.successful, failed: envs.failed, skipped: envs.skipped }, { total: ENVS, successful: await tableCount(db.pgUrl, 'environments'), failed: 0, skipped: 0 });
  const usage = stats('usage_records');
  const reported = readFileSync(join(workDir, 'usage_records_migration_errors.log'), 'utf8').trim().split('\n').length;
  assert.deepEqual(
    { total: usage.total, successful: usage.successful, failed: usage.failed, skipped: usage.skipped },
    { total: USAGE + 1, successful: await tableCount(db.pgUrl, 'usage_records'), failed: reported, skipped: 0 },
  );
  assert.equal(usage.failed, 1);
  assert.equal(typeof usage.duration_seconds, 'number');
  assert.equal(typeof usage.records_per_second, 'number');

  // The original's block, one JSON line per block line, tagged with its task.
  const block = lines.filter((l) => l.kind === 'statistics' && l.task === 'usage_records').map((l) => l.message);
  assert.deepEqual(block.slice(0, 7), [
    '='.repeat(60),
    'USAGE RECORDS MIGRATION STATISTICS',
    '='.repeat(60),
    `Total Records:    ${usage.total}`,
    `Successful:       ${usage.successful}`,
    `Failed:           ${usage.failed}`,
    `Skipped:          ${usage.skipped}`,
  ]);
  assert.match(String(block[7]), /^Duration:\s+\d+\.\d\ds$/);
  assert.match(String(block[8]), /^Records\/second:\s+\d+\.\d\d$/);

  // Run summary: the table lines and one structured line with every data set. Data sets other
  // than these two have empty sources here.
  const table = lines.filter((l) => l.kind === 'summary').map((l) => String(l.message));
  assert.match(table[0] ?? '', /^DATA SET\s+TOTAL\s+OK\s+FAILED\s+SKIPPED/);
  assert.match(table.find((l) => l.startsWith('ALL')) ?? '', new RegExp(`^ALL\\s+${ORGS + ENVS + USAGE + 1}\\s+${orgs.successful + envs.successful + usage.successful}\\s+1\\s+0`));
  const summary = lines.find((l) => l.message === 'run summary');
  assert.deepEqual(summary?.totals, { data_sets: finished.length, total: ORGS + ENVS + USAGE + 1, successful: orgs.successful + envs.successful + usage.successful, failed: 1, skipped: 0 });

  // The failure, with its exit code; then the run's last line: where the reports are.
  const failure = lines.at(-2);
  assert.equal(failure?.level, 'error');
  assert.equal(failure?.exit_code, 4);
  const last = lines.at(-1);
  assert.equal(last?.message, 'run finished');
  assert.equal(last?.exit_code, 4);
  assert.equal(last?.result, 'failed');
});

test('text mode: the statistics block in the original layout and readable progress lines', async () => {
  const again = await createTestDatabases('logs-text');
  try {
    await withMongo(again.mongoUrl, again.mongoDb, async (m) => {
      await seedOrganizations(m, 3);
      await seedUsage(m, 1500);
    });
    const result = await runCli(['migrate'], { ...baseEnv(again, workDir), LOG_FORMAT: 'text', PROGRESS_INTERVAL: '100ms', CONVERT_BULK_WRITE_SIZE: '250', CONVERT_BULK_READ_SIZE: '250' });
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const out = result.stdout;
    assert.ok(
      out.includes(['='.repeat(60), 'ORGANIZATIONS MIGRATION STATISTICS', '='.repeat(60), 'Total Records:    3', 'Successful:       3', 'Failed:           0', 'Skipped:          0', ''].join('\n')),
      out,
    );
    assert.match(out, /^\S+Z info {2}usage_records: \d+\/1500 \(\d+\.\d%\), \d+\.\d records\/s, ETA \S+$/m);
    assert.match(out, /^ALL\s+1509\s+1509\s+0\s+0/m);
    assert.match(out, /migration finished successfully .*succeeded: \d+ data sets?, 1509 records \(1509 migrated, 0 failed, 0 skipped\)/);
  } finally {
    await again.cleanup();
  }
});
