// Prometheus Pushgateway for tests: MONGO2PG_TEST_PUSHGATEWAY_URL if given, else the
// pinned binary on a free port, metrics kept in memory only.
import { join } from 'node:path';
import { makeTempDir, removeDir } from './files.js';
import { freePort } from './ports.js';
import { spawnService, waitUntil } from './process.js';
import { awaitReady, withPortRetry, type RunningService } from './service.js';
import { toolPath } from './tools.js';

export const PUSHGATEWAY_URL_ENV = 'MONGO2PG_TEST_PUSHGATEWAY_URL';

export async function startPushgateway(): Promise<RunningService> {
  const url = process.env[PUSHGATEWAY_URL_ENV];
  if (url) {
    await waitUntil(`Pushgateway at ${PUSHGATEWAY_URL_ENV}=${url}`, () => isReady(url), { timeoutMs: 5_000 });
    return { url, origin: 'external', stop: async () => {} };
  }
  const binary = toolPath('pushgateway');
  const dir = await makeTempDir('pushgateway');
  try {
    return await withPortRetry(() => launch(binary, dir));
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
}

async function isReady(baseUrl: string): Promise<boolean> {
  const response = await fetch(new URL('/-/ready', baseUrl), { signal: AbortSignal.timeout(1_000) });
  await response.body?.cancel();
  return response.ok;
}

async function launch(binary: string, dir: string): Promise<RunningService> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dir, 'pushgateway.log');
  const proc = spawnService(binary, [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { logFile, cwd: dir });
  await awaitReady(proc, `Pushgateway on ${url}`, () => isReady(url), { timeoutMs: 15_000, intervalMs: 50 });
  return {
    url,
    origin: 'local',
    async stop() {
      await proc.stop();
      await removeDir(dir);
    },
  };
}
