// Where the local service binaries live. They are built by scripts/install-tools.sh
// (Go tools) or come from the Debian PostgreSQL packages; nothing here installs them.
import { accessSync, constants, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export type GoTool = 'ferretdb' | 'pushgateway' | 'helm' | 'etcd' | 'kube-apiserver' | 'kube-controller-manager';
export type PgTool = 'initdb' | 'pg_ctl';
/** Tools from Debian packages, found on PATH. */
export type SystemTool = 'prometheus';

const INSTALL_HINT = 'run scripts/install-tools.sh (it builds the pinned tools; `npm test` runs it first)';

export class ToolMissingError extends Error {
  override readonly name = 'ToolMissingError';
}

export function toolsDir(): string {
  return process.env.MONGO2PG_TOOLS_DIR || join(homedir(), '.cache', 'mongo2pg', 'bin');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of a pinned Go tool; throws ToolMissingError with the fix if absent. */
export function toolPath(name: GoTool): string {
  const path = join(toolsDir(), name);
  if (!isExecutable(path)) throw new ToolMissingError(`${name} not found at ${path}: ${INSTALL_HINT}`);
  return path;
}

/**
 * Absolute path of a PostgreSQL server program. PATH first (it may hold a wrapper or a
 * custom build), then Debian's versioned directories, newest first, because Debian does
 * not put initdb/pg_ctl on PATH.
 */
export function pgToolPath(name: PgTool): string {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  const debian = listDebianPgBinDirs().map((dir) => join(dir, name));
  const found = [...onPath, ...debian].find(isExecutable);
  if (!found) throw new ToolMissingError(`PostgreSQL's ${name} not found on PATH or in /usr/lib/postgresql/*/bin: ${INSTALL_HINT}`);
  return found;
}

function listDebianPgBinDirs(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => join('/usr/lib/postgresql', v, 'bin'));
  } catch {
    return [];
  }
}

/** Absolute path of a tool installed from a Debian package (on PATH). */
export function systemToolPath(name: SystemTool): string {
  const found = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find(isExecutable);
  if (!found) throw new ToolMissingError(`${name} not found on PATH: ${INSTALL_HINT}`);
  return found;
}
