// Issue 13, D9: a CONVERT_WORK_DIR the process cannot write to is refused by the pre-flight gate
// (exit 3, naming the setting) before anything is written; one that stops being writable mid-run
// ends the run with a typed error (exit 4, REPORT_WRITE), never an unhandled EACCES (exit 1).
// The CLI runs as an unprivileged user (nobody), as the image runs as `node`: root would be
// allowed to write anywhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { CLI, baseEnv, jsonLines, type CliResult } from '../helpers/cli.js';
import { FAULT_SETTINGS, generate } from '../faults/trials.js';
import { targetSnapshot } from './preflight-support.js';

const NOBODY = 65534;
let source: TestDatabases;

before(async () => {
  source = await createTestDatabases('work-dir-source');
  await generate(source);
});
after(async () => {
  await source?.cleanup();
});

/** The CLI as user nobody; `onLine` sees each JSON log line as it arrives. */
function runAsNobody(env: Record<string, string>, onLine: (line: Record<string, unknown>) => void = () => undefined): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, 'migrate'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], uid: NOBODY, gid: NOBODY });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('{')) onLine(JSON.parse(l) as Record<string, unknown>);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function dirOf(owner: number, mode: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'mongo2pg-work-'));
  chownSync(dir, owner, owner);
  chmodSync(dir, mode);
  return dir;
}

test('a work dir the process may not write to: the gate refuses (exit 3) naming CONVERT_WORK_DIR; nothing is written', async () => {
  const target = await createTestDatabases('work-dir-not-writable');
  try {
    // Like the image's /app: owned by root, not writable by the unprivileged user.
    const dir = dirOf(0, 0o755);
    const before = await targetSnapshot(target.pgUrl);
    const r = await runAsNobody({ ...baseEnv(target, dir), ...FAULT_SETTINGS, API_MONGO_DB: source.mongoDb });
    assert.equal(r.code, 3, r.stdout.slice(-2000) + r.stderr);
    const refusal = jsonLines(r.stdout).find((l) => l.code === 'PREFLIGHT_FAILED');
    assert.match(String(refusal?.message), new RegExp(`\\[work-dir\\] CONVERT_WORK_DIR ${dir} is not writable \\(EACCES\\)`));
    assert.equal(await targetSnapshot(target.pgUrl), before);
  } finally {
    await target.cleanup();
  }
});

test('a work dir that stops being writable mid-run: exit 4 with REPORT_WRITE naming the report, not an unhandled EACCES', async () => {
  const target = await createTestDatabases('work-dir-lost');
  try {
    const dir = dirOf(NOBODY, 0o755);
    const r = await runAsNobody({ ...baseEnv(target, dir), ...FAULT_SETTINGS, API_MONGO_DB: source.mongoDb }, (line) => {
      // Writable at the gate; taken away before the first failed record is reported.
      if (line.message === 'pre-flight gate passed') chownSync(dir, 0, 0);
    });
    assert.equal(r.code, 4, r.stdout.slice(-3000) + r.stderr);
    const lines = jsonLines(r.stdout);
    const error = lines.find((l) => l.code === 'REPORT_WRITE');
    assert.match(String(error?.message), /could not write the error report .*_migration_errors\.log \(EACCES\)/);
    assert.ok(!lines.some((l) => String(l.message).startsWith('unexpected error')), 'no unexpected error');
    assert.doesNotMatch(r.stderr, /EACCES|Unhandled|fatal/);
  } finally {
    await target.cleanup();
  }
});
