// The heavy fault suite (`npm run test:faults`): builds the CLI, starts throwaway PostgreSQL and
// FerretDB, runs test/faults/*.test.ts one file at a time (the trials are timing-sensitive) and
// stops the services.
//
//   TRIALS=20 FAULT_SEED=7 npm run test:faults [-- --only sigkill] [-- --report docs/verification.md]
//
// --report also runs the bad-input corpus, collects every trial's and kind's outcome and writes
// the tables of docs/verification.md from them (test/faults/report.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServices, type Services } from '../../scripts/services.js';
import { writeReport } from './report.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  console.log(`\n▶ ${[command, ...args].join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, report: { type: 'string' } }, strict: true });
  const files = readdirSync(join(ROOT, 'test/faults'))
    .filter((f) => f.endsWith('.test.ts') && (values.only === undefined || f.includes(values.only)))
    .sort()
    .map((f) => `test/faults/${f}`);
  if (values.report !== undefined) files.push('test/integration/bad-input-corpus.test.ts');
  if (files.length === 0) {
    console.log('no fault test files selected');
    return 0;
  }
  if ((await run('npx', ['tsc', '-p', 'tsconfig.build.json'], process.env)) !== 0) return 1;
  let services: Services | undefined;
  const stop = async (): Promise<void> => {
    await services?.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().finally(() => process.exit(130)));
  try {
    services = await startServices({ pushgateway: false });
    const results = values.report === undefined ? undefined : mkdtempSync(join(tmpdir(), 'mongo2pg-fault-results-'));
    const env = { ...process.env, ...services.env, ...(results ? { MONGO2PG_RESULTS_DIR: results } : {}) };
    console.log(`TRIALS=${process.env.TRIALS ?? '10 (default)'} FAULT_SEED=${process.env.FAULT_SEED ?? '1000 (default)'}`);
    const code = await run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], env);
    if (results && values.report) {
      writeReport(results, join(ROOT, values.report));
      console.log(`\nreport written to ${values.report} (raw results in ${results})`);
    }
    console.log(`\n${code === 0 ? 'PASS' : 'FAIL'}: ${files.length} file(s)`);
    return code;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
