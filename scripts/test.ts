// The test command (`npm test`): install tools, typecheck, lint, build, then run the
// selected test tiers once against one set of real local services.
//
//   npx tsx scripts/test.ts [--tier unit|integration|e2e]... [--only <path substring>] [--skip-checks]
//
// --skip-checks leaves out typecheck and lint (for a quick local loop; CI never uses it).
//
// Services are started only if a selected tier needs them, exported to the test
// processes through MONGO2PG_TEST_* variables and always stopped at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServices, type Services } from './services.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const TIERS = {
  unit: { dir: 'test/unit', needsServices: false },
  integration: { dir: 'test/integration', needsServices: true },
  e2e: { dir: 'e2e', needsServices: true },
} as const;
type Tier = keyof typeof TIERS;

class StepFailed extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

// --- state shared with the signal handler ------------------------------------------

let current: ChildProcess | undefined;
let services: Services | undefined;
let interrupted = false;

function elapsed(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

/** Runs one step as a child process with inherited output; throws StepFailed on failure. */
function run(step: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const began = performance.now();
  console.log(`\n▶ ${step}: ${[command, ...args].join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit' });
    current = child;
    child.once('error', (error) => reject(new StepFailed(`${step}: could not start ${command}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      current = undefined;
      const status = signal ? `killed by ${signal}` : `exit code ${code}`;
      console.log(`◀ ${step}: ${code === 0 ? 'ok' : status} in ${elapsed(began)}`);
      resolve(code ?? 1);
    });
  });
}

async function mustRun(step: string, command: string, args: string[]): Promise<void> {
  const code = await run(step, command, args);
  if (code !== 0) throw new StepFailed(`${step} failed (exit code ${code})`);
}

async function findTestFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((path) => !path.split('/').includes('node_modules'))
    .sort();
}

function parseOptions(): { tiers: Tier[]; only: string | undefined; skipChecks: boolean } {
  const { values } = parseArgs({
    options: { tier: { type: 'string', multiple: true }, only: { type: 'string' }, 'skip-checks': { type: 'boolean', default: false } },
    strict: true,
  });
  const tiers = (values.tier ?? Object.keys(TIERS)) as string[];
  for (const tier of tiers) {
    if (!(tier in TIERS)) throw new StepFailed(`unknown --tier ${tier} (use ${Object.keys(TIERS).join(', ')})`, 2);
  }
  return { tiers: [...new Set(tiers)] as Tier[], only: values.only, skipChecks: values['skip-checks'] === true };
}

async function main(): Promise<number> {
  const began = performance.now();
  const { tiers, only, skipChecks } = parseOptions();

  await mustRun('install tools', 'bash', ['scripts/install-tools.sh']);
  if (skipChecks) {
    console.log('\n(typecheck and lint skipped: --skip-checks)');
  } else {
    await mustRun('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
    await mustRun('lint', 'npx', ['eslint', '.']);
  }
  await mustRun('build', 'npx', ['tsc', '-p', 'tsconfig.build.json']);

  const files: string[] = [];
  let needsServices = false;
  for (const tier of tiers) {
    const found = (await findTestFiles(TIERS[tier].dir)).filter((f) => only === undefined || f.includes(only));
    console.log(`${tier}: ${found.length} test file(s)${only === undefined ? '' : ` matching "${only}"`}`);
    files.push(...found);
    needsServices ||= found.length > 0 && TIERS[tier].needsServices;
  }
  if (files.length === 0) {
    console.log(`\nno test files to run (tiers: ${tiers.join(', ')}); done in ${elapsed(began)}`);
    return 0;
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  if (needsServices) {
    const startedAt = performance.now();
    console.log('\n▶ services: starting');
    services = await startServices({ pushgateway: true });
    const times = Object.entries(services.timings).map(([name, ms]) => `${name} ${ms} ms`);
    console.log(`◀ services: ready in ${elapsed(startedAt)} (${times.join(', ')})`);
    for (const [name, value] of Object.entries(services.env)) console.log(`  ${name}=${value}`);
    Object.assign(env, services.env);
  }
  if (interrupted) return 130;

  // Node 20's --test does not expand globs, so the files are listed explicitly.
  const code = await run(
    'tests',
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
    env,
  );
  if (interrupted) return 130;
  console.log(`\n${code === 0 ? 'PASS' : 'FAIL'}: ${files.length} test file(s) in ${elapsed(began)}`);
  return code;
}

let stopping: Promise<void> | undefined;

/** Stops the services once, whoever asks first (normal end or a signal). */
function stopServices(): Promise<void> {
  const running = services;
  if (!running) return Promise.resolve();
  return (stopping ??= (async () => {
    const began = performance.now();
    await running.stop();
    console.log(`services stopped in ${elapsed(began)}`);
  })());
}

// First signal: stop the running step and the services, then exit. The child gets the
// same signal from the terminal; forwarding covers `kill <pid>` from a supervisor.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping`);
    current?.kill(signal);
    void stopServices().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

main()
  .catch((error: unknown) => {
    console.error(`\n✖ ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof StepFailed ? error.exitCode : 1;
  })
  .then(async (code) => {
    await stopServices();
    process.exit(code);
  });
