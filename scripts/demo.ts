// The demo (`npm run demo`, `make demo`): throwaway PostgreSQL, FerretDB and Pushgateway, a
// generated sample data set, then the built CLI migrates it and prints its summary.
//
//   npx tsx scripts/demo.ts [--scale small|medium|large] [--seed N] [--keep]
//
// --keep leaves the services running afterwards (their URLs are printed) to look around.
//
// On a fresh machine it first installs what it needs and nothing else (scripts/install-tools.sh
// postgres ferretdb pushgateway); an expected failure (a tool missing or failing to build, a
// service not starting) ends in one line, not a stack trace.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { FIXTURE_MASTER_PASSWORD, generateFixtures, type Scale } from '../test/fixtures/generate.js';
import { ToolMissingError } from '../test/harness/tools.js';
import { startServices } from './services.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { scale: { type: 'string', default: 'small' }, seed: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false } } });

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** A failure the demo expects and explains in one line (its own output is above it). */
class DemoError extends Error {}

/** The tools the demo runs; helm and the Kubernetes control plane are for the test suite only. */
const DEMO_TOOLS = ['postgres', 'ferretdb', 'pushgateway'] as const;

async function main(): Promise<number> {
  const step = (text: string): void => console.log(`\n== ${text}`);
  step(`installing what the demo needs: ${DEMO_TOOLS.join(', ')} (PostgreSQL from Debian if missing; FerretDB and the Pushgateway built with Go: a few minutes the first time, then cached)`);
  const installed = await run('bash', ['scripts/install-tools.sh', ...DEMO_TOOLS], process.env);
  if (installed !== 0) throw new DemoError(`installing the tools failed (scripts/install-tools.sh exited ${installed}; its output is above)`);

  step('building the CLI (tsc, about half a minute)');
  const built = await run('npx', ['tsc', '-p', 'tsconfig.build.json'], process.env);
  if (built !== 0) throw new DemoError(`building the CLI failed (tsc exited ${built}; its output is above)`);

  step('starting PostgreSQL, FerretDB and the Pushgateway (throwaway, on free ports)');
  const services = await startServices({ pushgateway: true, helm: false });
  try {
    const mongoUrl = services.env.MONGO2PG_TEST_MONGO_URL as string;
    const serverUrl = new URL(services.env.MONGO2PG_TEST_PG_URL as string);
    const admin = new pg.Client({ connectionString: serverUrl.toString() });
    await admin.connect();
    await admin.query('CREATE DATABASE mongo2pg_demo');
    await admin.end();
    serverUrl.pathname = '/mongo2pg_demo';

    step(`generating the sample data set (scale ${values.scale}, seed ${values.seed})`);
    const client = new MongoClient(mongoUrl);
    await client.connect();
    const started = performance.now();
    const manifest = await generateFixtures(client.db('testkubecloud'), { seed: Number(values.seed) }, { scale: values.scale as Scale });
    await client.close();
    console.log(`${manifest.totalDocuments} documents in ${((performance.now() - started) / 1000).toFixed(1)}s`);

    step('running: mongo2pg migrate');
    const workDir = mkdtempSync(join(tmpdir(), 'mongo2pg-demo-'));
    const code = await run(process.execPath, ['dist/main.js', 'migrate'], {
      PATH: process.env.PATH,
      API_MONGO_DSN: mongoUrl,
      API_MONGO_DB: 'testkubecloud',
      API_POSTGRES_URL: serverUrl.toString(),
      CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD,
      CONVERT_WORK_DIR: workDir,
      CONVERT_SKIP_INTEGRITY_ERRORS: 'true',
      PUSHGATEWAY_URL: services.env.MONGO2PG_TEST_PUSHGATEWAY_URL,
      RELEASE_NAME: 'demo',
      LOG_FORMAT: 'text',
    });
    console.log(`\nmongo2pg exited with code ${code}; error reports (if any) are in ${workDir}`);
    if (values.keep) {
      console.log(`services left running:\n  PostgreSQL ${serverUrl}\n  MongoDB    ${mongoUrl}testkubecloud\n  Pushgateway ${services.env.MONGO2PG_TEST_PUSHGATEWAY_URL}`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return code;
  } finally {
    await services.stop();
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  // Expected failures: one line. Anything else is a bug in the demo and keeps its stack.
  const expected = err instanceof DemoError || err instanceof ToolMissingError || (err instanceof Error && err.message.startsWith('could not start local services'));
  if (!expected) throw err;
  console.error(`\ndemo: ${(err as Error).message.replace(/\n/g, '; ')}`);
  process.exitCode = 1;
}
