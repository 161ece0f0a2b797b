/**
 * Runs the built CLI (dist/main.js) as a child process, as an operator would. The test runner
 * builds dist/ before the integration and e2e tiers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export const MASTER_PASSWORD = 'test-master-password-0123456789-abcdef';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Settings for a run against the given databases; callers add or override flags. */
export function baseEnv(db: { pgUrl: string; mongoUrl: string; mongoDb: string }, workDir: string): Record<string, string> {
  return {
    API_MONGO_DSN: db.mongoUrl,
    API_MONGO_DB: db.mongoDb,
    API_POSTGRES_URL: db.pgUrl,
    CREDENTIALS_MASTER_PASSWORD: MASTER_PASSWORD,
    CONVERT_WORK_DIR: workDir,
    API_MONGO_CONNECTION_ATTEMPTS: '3',
    LOG_FORMAT: 'json',
  };
}

export function spawnCli(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export async function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return spawnCli(args, env).done;
}

/** Parses JSON log lines; a line that is not JSON fails the test that asks. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The statistics a run logged for one data set (from its `task finished` line). */
export function taskStatistics(stdout: string, task: string): { total: number; successful: number; failed: number; skipped: number } | undefined {
  const line = jsonLines(stdout).find((l) => l.message === 'task finished' && l.task === task);
  const s = line?.statistics as { total: number; successful: number; failed: number; skipped: number } | undefined;
  return s && { total: s.total, successful: s.successful, failed: s.failed, skipped: s.skipped };
}
