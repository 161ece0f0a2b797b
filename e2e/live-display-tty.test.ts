/**
 * The live display (issue 16) under a real pseudo-terminal: the built CLI runs inside `script`
 * (util-linux), so its stdout is a TTY as in an operator's shell. With the text log it draws bars
 * with data set names and percentages, and the log lines (statistics blocks, the final line) still
 * appear; with LOG_FORMAT=json on the same terminal there is no display, every line is JSON.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { createTestDatabases, type TestDatabases } from '../test/harness/index.js';
import { CLI, baseEnv } from '../test/helpers/cli.js';
import { seedOrganizations, seedUsage, withMongo } from '../test/helpers/seed.js';

let db: TestDatabases;
let workDir: string;

before(async () => {
  db = await createTestDatabases('live-display-tty');
  workDir = mkdtempSync(join(tmpdir(), 'live-display-tty-'));
  await withMongo(db.mongoUrl, db.mongoDb, async (m) => {
    await seedOrganizations(m, 3);
    await seedUsage(m, 30_000);
  });
});

after(async () => {
  await db?.cleanup();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Runs the CLI with a pseudo-terminal as stdout (`script -qfec`), returns what the terminal received. */
function underPty(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, 'migrate'].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', TERM: 'xterm', COLUMNS: '160', LINES: '40', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

// Small chunks and one worker: usage_records moves for a few seconds, long enough for redraws.
const slow = { CONVERT_BULK_WRITE_SIZE: '500', CONVERT_BULK_READ_SIZE: '500', CONVERT_BULK_PARALLEL: '1', PROGRESS_INTERVAL: '1s' };

test('on a terminal with the text log: bars with data set names and percentages, log lines above them', async () => {
  const { code, output } = await underPty({ ...baseEnv(db, workDir), ...slow, LOG_FORMAT: 'auto' });
  assert.equal(code, 0, output.slice(-3000));
  const plain = stripVTControlCharacters(output);
  // A bar line: name, the bar, a percentage, done/total.
  const bars = plain.split(/[\r\n]+/).filter((l) => /^ usage_records\s+\|[\u2588\u2591]+\| +\d+\.\d% \d+\/\d+ /.test(l));
  assert.ok(bars.length > 0, `a usage_records bar was drawn:\n${plain.slice(0, 4000)}`);
  assert.ok(/\| +100\.0%|\| +\d\d\.\d%/.test(plain), 'percentages');
  assert.match(plain, /phase: data sets\s+\|/, 'the phase bar');
  // The log is still there (text format: timestamps, the statistics block, the final line).
  assert.match(plain, /USAGE RECORDS MIGRATION STATISTICS/);
  assert.match(plain, /run succeeded \(exit 0\): /);
  // Cursor movement: the bars are redrawn in place, not appended as lines.
  assert.notEqual(stripVTControlCharacters(output), output, 'terminal control sequences (the bars are redrawn in place)');
});

test('on a terminal with LOG_FORMAT=json: no display, every line is a JSON object', async () => {
  const { code, output } = await underPty({ ...baseEnv(db, join(workDir, 'json')), ...slow, LOG_FORMAT: 'json', CONVERT_SKIP_EXISTING: 'true' });
  assert.equal(code, 0, output.slice(-3000));
  assert.ok(!/[\u2588\u2591]/.test(output), 'no bar characters');
  const lines = output.split(/\r?\n/).filter((l) => l.trim() !== '');
  assert.ok(lines.length > 10);
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
});
