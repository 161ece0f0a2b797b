// PostgreSQL for tests: the server named by MONGO2PG_TEST_PG_URL, or a private throwaway
// cluster (own data dir, own port, own socket dir) that never touches a system server.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFile, chown } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { logTail, makeTempDir, removeDir } from './files.js';
import { freePort } from './ports.js';
import { onProcessExit, runCommand, waitUntil } from './process.js';
import { PortTakenError, looksLikePortTaken, withPortRetry, type RunningService } from './service.js';
import { pgToolPath } from './tools.js';

export const PG_URL_ENV = 'MONGO2PG_TEST_PG_URL';

// Durability is worthless for a throwaway cluster and costs most of the time on a small
// machine; max_connections leaves room for parallel test files with worker pools.
const CLUSTER_SETTINGS = `
# mongo2pg throwaway test cluster
listen_addresses = '127.0.0.1'
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 200
`;

export async function startPostgres(): Promise<RunningService> {
  const url = process.env[PG_URL_ENV];
  if (url) {
    await checkReachable(url, `${PG_URL_ENV}=${redact(url)}`);
    return { url, origin: 'external', stop: async () => {} };
  }
  return startCluster();
}

/** Runs `select 1`; throws an error naming `label` when the server cannot be reached. */
async function checkReachable(url: string, label: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`PostgreSQL at ${label} is not reachable: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end().catch(() => {});
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

interface Cluster {
  dir: string;
  dataDir: string;
  logFile: string;
  /** Prefix that runs a command as the cluster's owner (initdb refuses to run as root). */
  asOwner(command: string, args: string[]): [string, string[]];
}

async function startCluster(): Promise<RunningService> {
  const cluster = await initCluster();
  const pgCtl = pgToolPath('pg_ctl');
  try {
    const port = await withPortRetry(() => startServer(cluster, pgCtl));
    let stopped = false;
    const unregister = onProcessExit(() => {
      if (stopped) return;
      const [cmd, args] = cluster.asOwner(pgCtl, ['stop', '-D', cluster.dataDir, '-m', 'immediate', '-w']);
      spawnSync(cmd, args, { cwd: cluster.dir, stdio: 'ignore' });
      rmSync(cluster.dir, { recursive: true, force: true });
    });
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      origin: 'local',
      async stop() {
        if (stopped) return;
        stopped = true;
        const [cmd, args] = cluster.asOwner(pgCtl, ['stop', '-D', cluster.dataDir, '-m', 'fast', '-w']);
        await runCommand(cmd, args, { cwd: cluster.dir }).catch(() => {});
        unregister();
        await removeDir(cluster.dir);
      },
    };
  } catch (error) {
    await removeDir(cluster.dir);
    throw error;
  }
}

async function initCluster(): Promise<Cluster> {
  const dir = await makeTempDir('pg');
  const owner = clusterOwner();
  if (owner) await chown(dir, owner.uid, owner.gid);
  const cluster: Cluster = {
    dir,
    dataDir: join(dir, 'data'),
    logFile: join(dir, 'postgres.log'),
    asOwner: (command, args) => (owner ? ['runuser', ['-u', owner.name, '--', command, ...args]] : [command, args]),
  };
  // --no-locale: C collation, identical on every machine; --no-sync: nothing to protect.
  const [cmd, args] = cluster.asOwner(pgToolPath('initdb'), [
    '-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync', '--no-instructions',
  ]);
  try {
    await runCommand(cmd, args, { cwd: dir });
    // Appending as root keeps the file's owner; the socket lives in our dir, not /run/postgresql.
    await appendFile(join(cluster.dataDir, 'postgresql.conf'), `${CLUSTER_SETTINGS}unix_socket_directories = '${dir}'\n`);
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
  return cluster;
}

/** The OS user that owns the cluster: `postgres` when we are root, else ourselves. */
function clusterOwner(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { name: 'postgres', uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root, but there is no `postgres` user to own the test cluster (initdb refuses root); install the Debian package postgresql or set MONGO2PG_TEST_PG_URL');
  }
}

async function startServer(cluster: Cluster, pgCtl: string): Promise<number> {
  const port = await freePort();
  const [cmd, args] = cluster.asOwner(pgCtl, ['start', '-D', cluster.dataDir, '-l', cluster.logFile, '-w', '-t', '60', '-o', `-p ${port}`]);
  try {
    await runCommand(cmd, args, { cwd: cluster.dir });
  } catch (error) {
    const log = await logTail(cluster.logFile);
    if (looksLikePortTaken(log)) throw new PortTakenError(`port ${port} taken`);
    throw new Error(`${(error as Error).message}\n--- ${cluster.logFile} ---\n${log}`, { cause: error });
  }
  // pg_ctl -w already waited for "ready to accept connections"; this proves TCP works.
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntil('PostgreSQL TCP connection', async () => (await checkReachable(url, url), true), { timeoutMs: 10_000 });
  return port;
}
