/**
 * Every number reconciles (issue 16, acceptance): a generated data set with orphans and edge cases
 * gives failures and skips in several data sets. From the JSON log of one run: every statistics
 * object, the statistics blocks, the summary table (and its notes), the error-report files (line
 * counts, outcomes and reason codes) and the verification table agree; every report path the log
 * names exists on disk; the run's last line lists exactly the reports there are.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { FIXTURE_MASTER_PASSWORD, generateFixtures } from '../test/fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../test/harness/index.js';
import { baseEnv, jsonLines, runCli } from '../test/helpers/cli.js';

type Line = Record<string, unknown>;
interface Stats {
  total: number;
  source_documents?: number;
  documents_of?: string;
  successful: number;
  failed: number;
  skipped: number;
  failed_by_reason: Record<string, number>;
  skipped_by_reason: Record<string, number>;
  error_report: string | null;
  error_report_lines: number;
}

let db: TestDatabases;
let workDir: string;
let generatedDocuments = 0;

before(async () => {
  db = await createTestDatabases('reconciliation');
  workDir = mkdtempSync(join(tmpdir(), 'reconciliation-'));
  const client = new MongoClient(db.mongoUrl);
  await client.connect();
  try {
    const manifest = await generateFixtures(client.db(db.mongoDb), { seed: 16, orgs: 2, usageRecords: 2000, auditEvents: 300, applicationAuditEvents: 300, events: 300, reportingData: 300, orphans: true, edgeCases: true });
    generatedDocuments = manifest.totalDocuments;
  } finally {
    await client.close();
  }
});

after(async () => {
  await db?.cleanup();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const sum = (m: Record<string, number>): number => Object.values(m).reduce((a, b) => a + b, 0);

/** Every string in the log that names an error report file or the report directory. */
function pathsIn(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\/[^\s"'(),;]+_migration_errors\.log/g)) out.add(m[0]);
  } else if (Array.isArray(value)) for (const v of value) pathsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) pathsIn(v, out);
}

test('statistics, summary, error reports and verification agree; every report path exists', async () => {
  const run = await runCli(['migrate'], { ...baseEnv(db, workDir), CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD, CONVERT_SKIP_INTEGRITY_ERRORS: 'true', LOG_FORMAT: 'json' });
  assert.equal(run.code, 4, `failed records exit 4\n${run.stderr}\n${run.stdout.slice(-3000)}`);
  const lines = jsonLines(run.stdout);

  // 1. Statistics objects: the counts add up, and so do the counts by reason code.
  const stats = new Map<string, Stats>();
  for (const l of lines.filter((x) => x.message === 'task finished')) stats.set(String(l.task), l.statistics as Stats);
  assert.ok(stats.size > 20, 'every data set finished');
  const withProblems = [...stats].filter(([, s]) => s.failed + s.skipped > 0).map(([n]) => n);
  assert.ok(withProblems.length >= 3, `failures or skips in several data sets: ${withProblems.join(', ')}`);
  for (const [name, s] of stats) {
    assert.equal(s.total, s.successful + s.failed + s.skipped, `${name}: total = successful + failed + skipped`);
    assert.equal(sum(s.failed_by_reason), s.failed, `${name}: failed by reason`);
    assert.equal(sum(s.skipped_by_reason), s.skipped, `${name}: skipped by reason`);
    // A fresh run: every failed or skipped record has its report line.
    assert.equal(s.error_report_lines, s.failed + s.skipped, `${name}: report lines`);
    assert.equal(s.error_report === null, s.failed + s.skipped === 0, `${name}: a report exactly when needed`);
  }

  // 2. The report files: line count, outcome and reason code of each line match the statistics.
  for (const [name, s] of stats) {
    if (s.error_report === null) {
      assert.equal(existsSync(join(workDir, `${name}_migration_errors.log`)), false, `${name}: no stale report`);
      continue;
    }
    assert.equal(s.error_report, join(workDir, `${name}_migration_errors.log`), `${name}: absolute report path`);
    const records = readFileSync(s.error_report, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { id: string; code: string; context: Record<string, unknown> });
    assert.equal(records.length, s.error_report_lines, `${name}: lines in the file`);
    const byReason: Record<'failed' | 'skipped', Record<string, number>> = { failed: {}, skipped: {} };
    for (const r of records) {
      const outcome = r.context.skipped === true || r.code === 'SKIPPED' ? 'skipped' : 'failed';
      const key = typeof r.context.reason === 'string' ? `${r.code}:${r.context.reason}` : r.code;
      byReason[outcome][key] = (byReason[outcome][key] ?? 0) + 1;
    }
    assert.deepEqual(byReason.failed, s.failed_by_reason, `${name}: failed by reason = the file`);
    assert.deepEqual(byReason.skipped, s.skipped_by_reason, `${name}: skipped by reason = the file`);
  }

  // 3. The statistics blocks say the same.
  for (const [name, s] of stats) {
    const block = lines.filter((l) => l.kind === 'statistics' && l.task === name).map((l) => String(l.message));
    const value = (label: string): string => (block.find((b) => b.startsWith(`${label}:`)) ?? '').slice(label.length + 1).trim();
    assert.equal(value('Total Records'), s.source_documents === undefined ? String(s.total) : `${s.total} (from ${s.source_documents} source documents; a record is an entry of organizations.payments[])`, `${name}: block total`);
    assert.equal(value('Failed'), String(s.failed));
    assert.equal(value('Skipped'), String(s.skipped));
    assert.ok(s.error_report === null ? value('Error report').startsWith('none') : value('Error report') === `${s.error_report} (${s.error_report_lines} line${s.error_report_lines === 1 ? '' : 's'})`, `${name}: block report line: ${value('Error report')}`);
  }

  // 4. The summary table, its notes and the run summary line.
  const table = lines.filter((l) => l.kind === 'summary').map((l) => String(l.message));
  const rows = new Map(table.slice(2).filter((r) => /^\S+\s+\d/.test(r)).map((r) => { const c = r.split(/\s+/); return [c[0] as string, c.slice(1, 5).map(Number)]; }));
  for (const [name, s] of stats) assert.deepEqual(rows.get(name), [s.total, s.successful, s.failed, s.skipped], `${name}: summary row`);
  const all = [0, 0, 0, 0];
  for (const s of stats.values()) [s.total, s.successful, s.failed, s.skipped].forEach((n, i) => (all[i] = (all[i] ?? 0) + n));
  assert.deepEqual(rows.get('ALL'), all, 'ALL row');
  const summary = lines.find((l) => l.message === 'run summary') as Line;
  assert.deepEqual(summary.totals, { data_sets: stats.size, total: all[0], successful: all[1], failed: all[2], skipped: all[3] });
  for (const name of withProblems) {
    const s = stats.get(name) as Stats;
    const note = table.find((t) => t.startsWith(`  ${name}: `));
    assert.ok(note?.endsWith(`${name}_migration_errors.log (${s.error_report_lines} lines)`), `${name}: summary note names the report: ${note}`);
  }
  // Records vs source documents: the note says how many documents the records came from.
  // Documents of an exploded data set that another data set migrates are counted there, once.
  const documents = [...stats.values()].reduce((n, s) => n + (s.documents_of ? 0 : (s.source_documents ?? s.total)), 0);
  const payments = stats.get('payments_history') as Stats;
  assert.ok(payments.source_documents !== undefined && payments.source_documents < payments.total, 'payments: several records per document');
  assert.ok(table.some((t) => t.startsWith(`Records vs source documents: ${all[0]} records from ${documents} source documents; payments_history: ${payments.total} records from ${payments.source_documents} documents (a record is an entry of organizations.payments[]; the documents are counted under organizations)`)), `records vs documents note: ${table.join('\n')}`);
  // The generator's document count is the run's document count: the difference to the records is explained.
  assert.equal(documents, generatedDocuments, 'source documents = documents the generator wrote');
  assert.equal(payments.documents_of, 'organizations');

  // 5. Verification: one line per data set and the table, agreeing with the statistics.
  const verified = new Map(lines.filter((l) => l.message === 'data set verified').map((l) => [String(l.task), l]));
  assert.equal((lines.find((l) => l.message === 'verification finished') as Line).ok, true);
  const vtable = lines.filter((l) => l.kind === 'statistics' && l.task === 'verification').map((l) => String(l.message));
  for (const [name, s] of stats) {
    const v = verified.get(name) as Line;
    assert.ok(v, `${name} verified`);
    assert.deepEqual([v.migrated, v.failed, v.skipped], [s.successful, s.failed, s.skipped], `${name}: verification counts = statistics`);
    const row = vtable.find((r) => r.split(/\s+/)[0] === name)?.split(/\s+/);
    assert.deepEqual(row?.slice(3, 6).map(Number), [s.successful, s.failed, s.skipped], `${name}: verification table row`);
  }

  // 6. Every report path in the log exists; the last line lists exactly the reports.
  const paths = new Set<string>();
  pathsIn(lines, paths);
  assert.ok(paths.size >= withProblems.length);
  for (const p of paths) assert.ok(existsSync(p), `${p} exists`);
  const last = lines.at(-1) as Line;
  assert.equal(last.message, 'run finished');
  assert.equal(last.report_dir, workDir);
  assert.equal(last.verification, 'passed');
  assert.deepEqual((last.error_reports as { task: string; path: string; lines: number }[]).map((r) => [r.task, r.path, r.lines]).sort(), withProblems.map((n) => [n, (stats.get(n) as Stats).error_report, (stats.get(n) as Stats).error_report_lines]).sort());
  assert.ok(existsSync(String(last.report_dir)));
});
