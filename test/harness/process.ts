// Child processes of the harness: services run with their output in a log file, are
// stopped on request and are always killed when this Node process exits, so a failed or
// interrupted test run does not leave servers holding ports and temp dirs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

// --- exit hooks ---------------------------------------------------------------------

// Synchronous only: 'exit' listeners cannot await. Runs on normal exit and on
// process.exit(); the scripts turn SIGINT/SIGTERM into process.exit() after stopping.
const exitHooks = new Set<() => void>();
let exitListenerInstalled = false;

/** Registers a synchronous cleanup to run when the process exits; returns an unregister function. */
export function onProcessExit(hook: () => void): () => void {
  if (!exitListenerInstalled) {
    process.once('exit', () => {
      for (const h of exitHooks) {
        try {
          h();
        } catch {
          // best effort: the process is exiting anyway
        }
      }
    });
    exitListenerInstalled = true;
  }
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

// --- long-running services ----------------------------------------------------------

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Set once the process has exited, e.g. "exit code 1" or "signal SIGKILL". */
  exitReason(): string | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnService(command: string, args: string[], options: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv }): ServiceProcess {
  // The child writes straight into the file (not through a pipe we must drain), so its
  // output survives even if this process is busy or gone.
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let reason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      reason = `failed to start: ${error.message}`;
      resolve();
    });
    child.once('exit', (code, signal) => {
      reason = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
  });
  const unregister = onProcessExit(() => {
    if (reason === undefined) child.kill('SIGKILL');
  });
  return {
    child,
    logFile: options.logFile,
    exitReason: () => reason,
    async stop(graceMs = 10_000) {
      if (reason === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      unregister();
    },
  };
}

// --- waiting and one-shot commands --------------------------------------------------

/**
 * Polls `probe` until it resolves true. Stops early when `failure()` names a reason
 * (typically: the service process exited). The last probe error goes into the timeout
 * message because it usually says what is wrong.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; failure?: () => string | undefined } = {},
): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const failed = options.failure?.();
    if (failed) throw new Error(`${what}: ${failed}`);
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}`);
    await sleep(intervalMs);
  }
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its output when it fails. */
export function runCommand(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const output = `${stdout}${stderr}`.trim().split('\n').slice(-30).join('\n');
        reject(new Error(`${[command, ...args].join(' ')} failed: ${error.message.split('\n')[0]}${output ? `\n${output}` : ''}`, { cause: error }));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}
