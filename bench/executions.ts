// The executions benchmark (`npm run bench:executions`): test workflow executions through the bulk
// engine as built (dist/, built first), from an in-process BSON source (bench/executions-source.ts,
// no MongoDB server), into Testkube's tables in a throwaway PostgreSQL, for small and large
// executions; usage records through the same engine in the same run for reference. Each load runs
// in a process of its own (bench/load.ts) with the default 2 transform threads and 1 range.
// Prints executions/s and CPU µs per execution: mongo2pg's process (all threads) and PostgreSQL's
// (postmaster and backends), measured per process, so other work on a shared machine does not
// count.
//
//   npx tsx bench/executions.ts [--small 20000] [--large 500] [--usage 200000] [--repeat 1]
import { execFile, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import winston from 'winston';
import { SCHEMA_DIR } from '../app/run/migrate.js';
import { migrateSchema } from '../app/schema-migrations/migrator.js';
import { deferConstraints } from '../app/engine/deferred-constraints.js';
import { EXECUTION_TABLES } from '../app/transform/testkube/index.js';
import { startPostgres } from '../test/harness/postgres.js';
import { executionBytes } from './executions-source.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { small: { type: 'string', default: '20000' }, large: { type: 'string', default: '500' }, usage: { type: 'string', default: '200000' }, repeat: { type: 'string', default: '1' } } });

interface Result {
  count: number;
  seconds: number;
  rate: number;
  maxRssMb: number;
  processCpuSeconds: number;
}

function load(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as Result) : reject(new Error(`bench/load.ts ${args.join(' ')} exited with ${code}`))));
  });
}

const TICKS_PER_SECOND = 100;

/** CPU seconds of the PostgreSQL cluster: the postmaster with its reaped children, and the live ones. */
function postgresCpuSeconds(postmaster: number): number {
  const fields = (pid: number | string): string[] | null => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      return null; // a backend that exited meanwhile is counted in the postmaster's children
    }
  };
  // After "(comm) ": state ppid … utime(14) stime(15) cutime(16) cstime(17), 1-based over the whole line.
  const ticks = (f: string[], from: number, to: number): number => f.slice(from - 3, to - 2).reduce((n, x) => n + Number(x), 0);
  const main = fields(postmaster);
  if (!main) throw new Error(`no PostgreSQL postmaster with pid ${postmaster}`);
  let total = ticks(main, 14, 17);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = fields(entry);
    if (f && Number(f[1]) === postmaster) total += ticks(f, 14, 15);
  }
  return total / TICKS_PER_SECOND;
}

async function main(): Promise<void> {
  const repeat = Number(values.repeat);
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
  const server = await startPostgres();
  const url = new URL(server.url);
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  const dataDir = (await admin.query<{ d: string }>('SELECT current_setting(\'data_directory\') AS d')).rows[0]?.d as string;
  await admin.end();
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  url.pathname = '/bench';
  const pool = new pg.Pool({ connectionString: url.toString() });
  const quiet = winston.createLogger({ silent: true });
  const tables = [...EXECUTION_TABLES.map((t) => t.table), 'usage_records'];
  const rows: string[][] = [];
  try {
    await migrateSchema(pool, SCHEMA_DIR, quiet);
    // As in a run: the tables keep only their primary keys during the load.
    await deferConstraints(pool, tables, quiet);
    const reset = async (): Promise<void> => {
      await pool.query(`TRUNCATE ${tables.join(', ')}`);
      await pool.query('DROP TABLE IF EXISTS mongo2pg.bulk_progress');
      await pool.query('CHECKPOINT');
    };
    const cases: Array<{ label: string; unit: string; args: string[]; count: number }> = [
      { label: `small executions (${(executionBytes('small') / 1024).toFixed(1)} KB BSON)`, unit: 'execution', count: Number(values.small), args: ['--mode', 'executions', '--size', 'small'] },
      { label: `large executions (${(executionBytes('large') / 1024).toFixed(0)} KB BSON)`, unit: 'execution', count: Number(values.large), args: ['--mode', 'executions', '--size', 'large'] },
      { label: 'usage records (reference)', unit: 'record', count: Number(values.usage), args: ['--mode', 'ours'] },
    ];
    for (const c of cases) {
      const runs: Array<Result & { pgCpuSeconds: number }> = [];
      for (let r = 0; r < repeat; r++) {
        await reset();
        const before = postgresCpuSeconds(postmaster);
        const result = await load([...c.args, '--count', String(c.count), '--pg', url.toString(), '--parallel', '1']);
        runs.push({ ...result, pgCpuSeconds: postgresCpuSeconds(postmaster) - before });
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      const perDoc = (f: (x: (typeof runs)[number]) => number): string => (median(runs.map((x) => f(x) / x.count)) * 1e6).toFixed(0);
      rows.push([
        c.label,
        c.count.toLocaleString('en-US'),
        Math.round(median(runs.map((x) => x.rate))).toLocaleString('en-US'),
        perDoc((x) => x.processCpuSeconds),
        perDoc((x) => x.pgCpuSeconds),
        perDoc((x) => x.processCpuSeconds + x.pgCpuSeconds),
        median(runs.map((x) => x.maxRssMb)).toFixed(0),
      ]);
      console.log(`done: ${c.label}`);
    }
    const header = ['documents', 'count', 'docs/s', 'mongo2pg CPU µs/doc', 'PostgreSQL CPU µs/doc', 'total CPU µs/doc', 'peak RSS MB'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
    console.log(`\nrepeats per figure: ${repeat} (median); CPUs: ${availableParallelism()}; 1 range, 2 transform threads\n`);
    console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
    console.log('\nCPU µs/doc: CPU time of mongo2pg\'s process (all threads) and of PostgreSQL\'s processes, per document;');
    console.log('for executions a document is one execution with all its rows (result, signatures, outputs, reports, workflows).');
  } finally {
    await pool.end();
    await server.stop();
  }
}

await main();
