// Starts the local services tests and the demo need, and hands back their addresses as
// environment variables. `npx tsx scripts/services.ts` starts them for interactive
// development: it prints `export` lines and keeps them running until Ctrl-C.
import { pathToFileURL } from 'node:url';
import { MONGO_URL_ENV, startMongo } from '../test/harness/mongo.js';
import { PG_URL_ENV, startPostgres } from '../test/harness/postgres.js';
import { PUSHGATEWAY_URL_ENV, startPushgateway } from '../test/harness/pushgateway.js';
import type { RunningService } from '../test/harness/service.js';
import { toolPath } from '../test/harness/tools.js';

export const HELM_ENV = 'MONGO2PG_HELM';

export interface Services {
  /** MONGO2PG_TEST_PG_URL, MONGO2PG_TEST_MONGO_URL, MONGO2PG_TEST_PUSHGATEWAY_URL, MONGO2PG_HELM. */
  readonly env: Record<string, string>;
  /** Start-up time of each service in milliseconds, for the runner's report. */
  readonly timings: Record<string, number>;
  /** Stops everything that was started here; safe to call more than once. */
  stop(): Promise<void>;
}

interface Spec {
  name: string;
  envName: string;
  start(): Promise<RunningService>;
}

/** helm: false for a caller that never runs helm (the demo): then it need not be installed. */
export async function startServices(options: { pushgateway?: boolean; helm?: boolean } = {}): Promise<Services> {
  const specs: Spec[] = [
    { name: 'postgres', envName: PG_URL_ENV, start: startPostgres },
    { name: 'mongo', envName: MONGO_URL_ENV, start: startMongo },
  ];
  if (options.pushgateway ?? true) specs.push({ name: 'pushgateway', envName: PUSHGATEWAY_URL_ENV, start: startPushgateway });

  const helm = (options.helm ?? true) ? toolPath('helm') : undefined; // fail before starting anything if the tools are missing
  const timings: Record<string, number> = {};
  // In parallel: start-up is mostly waiting (initdb, FerretDB's first ping).
  const results = await Promise.allSettled(
    specs.map(async (spec) => {
      const began = performance.now();
      const service = await spec.start();
      timings[`${spec.name} (${service.origin})`] = Math.round(performance.now() - began);
      return service;
    }),
  );
  const env: Record<string, string> = helm ? { [HELM_ENV]: helm } : {};
  const started: RunningService[] = [];
  const failures: string[] = [];
  results.forEach((result, i) => {
    const spec = specs[i]!;
    if (result.status === 'fulfilled') {
      started.push(result.value);
      env[spec.envName] = result.value.url;
    } else {
      failures.push(`${spec.name}: ${(result.reason as Error).message}`);
    }
  });
  const stopAll = async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  if (failures.length) {
    await stopAll();
    throw new Error(`could not start local services:\n${failures.join('\n')}`);
  }
  let stopping: Promise<void> | undefined;
  return { env, timings, stop: () => (stopping ??= stopAll()) };
}

async function main(): Promise<void> {
  const services = await startServices({ pushgateway: true });
  for (const [name, value] of Object.entries(services.env)) console.log(`export ${name}='${value}'`);
  console.error(`# started: ${Object.entries(services.timings).map(([n, ms]) => `${n} ${ms} ms`).join(', ')}`);
  console.error('# running; press Ctrl-C to stop and remove the data');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await services.stop();
  console.error('# stopped');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
