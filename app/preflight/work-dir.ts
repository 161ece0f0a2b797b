/**
 * CONVERT_WORK_DIR must take the error reports: a directory this process may create files in,
 * or a path whose nearest existing parent it may create the directory in (the first report
 * creates it). Checked by writing and removing a probe file, since permission bits alone do not
 * tell a read-only filesystem or a root-owned image directory (issue 13, D9).
 */
import { constants } from 'node:fs';
import { access, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fail, pass, type CheckResult } from './result.js';

function reason(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/** `configured` is CONVERT_WORK_DIR as set ('' = the current directory, `cwd`). */
export async function checkWorkDir(configured: string, cwd: string): Promise<CheckResult> {
  const dir = resolve(cwd, configured || '.');
  const named = configured ? `CONVERT_WORK_DIR ${dir}` : `CONVERT_WORK_DIR (unset: the current directory ${dir})`;
  const refuse = (why: string): CheckResult => fail('work-dir', `${named} ${why}; the error reports (<data set>_migration_errors.log) are written there. Set CONVERT_WORK_DIR to a writable directory (chart: convert.workDir, where workVolume is mounted)`, { dir });
  let existing = dir;
  for (;;) {
    try {
      const s = await stat(existing);
      if (!s.isDirectory()) return refuse(existing === dir ? 'is not a directory' : `cannot be created: ${existing} is not a directory`);
      break;
    } catch (err) {
      if (reason(err) !== 'ENOENT' || dirname(existing) === existing) return refuse(`cannot be read (${reason(err)})`);
      existing = dirname(existing);
    }
  }
  if (existing !== dir) {
    try {
      await access(existing, constants.W_OK | constants.X_OK);
    } catch (err) {
      return refuse(`does not exist and cannot be created in ${existing} (${reason(err)})`);
    }
    return pass('work-dir', `${named} will be created for the error reports`, { dir });
  }
  const probe = join(dir, `.mongo2pg-probe-${process.pid}`);
  try {
    await writeFile(probe, '');
  } catch (err) {
    return refuse(`is not writable (${reason(err)})`);
  }
  await unlink(probe).catch(() => undefined);
  return pass('work-dir', `${named} is writable`, { dir });
}
