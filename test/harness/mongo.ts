// MongoDB for tests: the server named by MONGO2PG_TEST_MONGO_URL (a real MongoDB), or a
// local FerretDB v1 on the SQLite backend with its data in a temp dir.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { makeTempDir, removeDir } from './files.js';
import { freePort } from './ports.js';
import { spawnService } from './process.js';
import { awaitReady, withPortRetry, type RunningService } from './service.js';
import { toolPath } from './tools.js';

export const MONGO_URL_ENV = 'MONGO2PG_TEST_MONGO_URL';

export async function startMongo(): Promise<RunningService> {
  const url = process.env[MONGO_URL_ENV];
  if (url) {
    try {
      await ping(url, 5_000);
    } catch (error) {
      throw new Error(`MongoDB at ${MONGO_URL_ENV} is not reachable: ${(error as Error).message}`, { cause: error });
    }
    return { url, origin: 'external', stop: async () => {} };
  }
  return startFerretDb();
}

/** Connects and runs `ping` on admin, as an application would. */
export async function ping(url: string, timeoutMs: number): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close().catch(() => {});
  }
}

export interface MongoServerInfo {
  /** FerretDB announces itself with `ferretdbVersion` in buildInfo; MongoDB does not. */
  flavor: 'ferretdb' | 'mongodb';
  /** FerretDB's own version (e.g. v1.24.0), or MongoDB's server version. */
  version: string;
}

/**
 * Which server is behind `url`. FerretDB v1 differs from MongoDB in ways tests must
 * know about: no Decimal128 (the server drops the connection), no nested arrays, no NUL
 * in strings, -0 becomes 0, no NaN/Infinity doubles, no `.`/`$` in keys
 * (https://docs.ferretdb.io/v1.24/diff).
 */
export async function describeMongo(url: string): Promise<MongoServerInfo> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return typeof info.ferretdbVersion === 'string'
      ? { flavor: 'ferretdb', version: info.ferretdbVersion }
      : { flavor: 'mongodb', version: String(info.version) };
  } finally {
    await client.close().catch(() => {});
  }
}

async function startFerretDb(): Promise<RunningService> {
  const binary = toolPath('ferretdb');
  const dir = await makeTempDir('mongo');
  try {
    const dataDir = join(dir, 'sqlite');
    await mkdir(dataDir);
    return await withPortRetry(() => launch(binary, dir, dataDir));
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
}

async function launch(binary: string, dir: string, dataDir: string): Promise<RunningService> {
  const port = await freePort();
  const url = `mongodb://127.0.0.1:${port}/`;
  const logFile = join(dir, 'ferretdb.log');
  const proc = spawnService(
    binary,
    [
      '--handler=sqlite',
      // FerretDB wants a directory URI with a trailing slash; one SQLite file per database.
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      // Defaults would write state.json into the cwd and bind 127.0.0.1:8088 for debug
      // handlers, which collides between two instances.
      `--state-dir=${dir}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-format=text',
    ],
    { logFile, cwd: dir },
  );
  await awaitReady(proc, `FerretDB on 127.0.0.1:${port}`, async () => (await ping(url, 1_000), true), { timeoutMs: 30_000, intervalMs: 200 });
  return {
    url,
    origin: 'local',
    async stop() {
      await proc.stop();
      await removeDir(dir);
    },
  };
}
