// Prometheus for tests (Debian's package, installed by scripts/install-tools.sh): scrapes one
// Pushgateway every second, as a cluster's Prometheus scrapes it, with its TSDB in a temp dir.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeDir } from './files.js';
import { freePort } from './ports.js';
import { spawnService } from './process.js';
import { awaitReady, withPortRetry, type RunningService } from './service.js';
import { systemToolPath } from './tools.js';

export async function startPrometheus(pushgatewayUrl: string): Promise<RunningService> {
  const binary = systemToolPath('prometheus');
  const dir = await makeTempDir('prometheus');
  const target = new URL(pushgatewayUrl).host;
  // honor_labels: the pushed `job` and `release` labels are kept, as the Pushgateway docs require.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: [{ job_name: 'pushgateway', honor_labels: true, static_configs: [{ targets: [target] }] }],
  }));
  try {
    return await withPortRetry(async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const proc = spawnService(binary, [
        `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
      ], { logFile: join(dir, 'prometheus.log'), cwd: dir });
      await awaitReady(proc, `Prometheus on ${url}`, async () => (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) })).ok, { timeoutMs: 30_000, intervalMs: 100 });
      return {
        url,
        origin: 'local' as const,
        async stop() {
          await proc.stop();
          await removeDir(dir);
        },
      };
    });
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
}

/** An instant PromQL query; returns the result vector (or throws with Prometheus's error). */
export async function promQuery(url: string, expr: string, time?: Date): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const q = new URL('/api/v1/query', url);
  q.searchParams.set('query', expr);
  if (time) q.searchParams.set('time', String(time.getTime() / 1000));
  const res = await fetch(q, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
  if (body.status !== 'success') throw new Error(`PromQL ${expr}: ${body.error}`);
  if (body.data?.resultType === 'scalar') return [{ metric: {}, value: body.data.result as [number, string] }];
  return body.data?.result as { metric: Record<string, string>; value: [number, string] }[];
}
