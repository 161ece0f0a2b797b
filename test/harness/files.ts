// Temporary directories and log files of locally started services.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh private directory under the OS temp dir, e.g. /tmp/mongo2pg-pg-Ab12Cd. */
export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `mongo2pg-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  // maxRetries: a service that just exited may still be closing files in the directory.
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** The last lines of a log file, for error messages; never throws. */
export async function logTail(file: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(no log at ${file}: ${(error as Error).message})`;
  }
}
