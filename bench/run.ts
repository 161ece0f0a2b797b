// The bulk benchmark (`npm run bench`, `make bench`): usage records at several sizes, loaded
//   - by mongo2pg's bulk engine as built (dist/, built first) from an in-process BSON source: with
//     the default 2 transform threads for 1 and 2 parallel ranges, and all on the main thread,
//   - by `psql \copy` from a file already transformed into COPY text (the ceiling),
//   - by a naive loader, INSERT of 500 rows per statement (the floor),
// all into the same table of the same throwaway PostgreSQL, in one run. Each loader runs in its
// own process so its peak RSS is its own. Prints docs/s, peak RSS, the ratio to psql \copy, and
// the whole machine's CPU time per document with the ratio that CPU time would allow at best.
//
//   npx tsx bench/run.ts [--sizes 100000,1000000,5000000] [--repeat 1] [--profile]
//
// --profile writes CPU profiles of mongo2pg's run at the largest size (one per thread) and prints
// where the time goes in each.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import winston from 'winston';
import { usageColumns } from '../app/datasets/bulk/usage-records.js';
import { SCHEMA_DIR } from '../app/run/migrate.js';
import { migrateSchema } from '../app/schema-migrations/migrator.js';
import { deferConstraints } from '../app/engine/deferred-constraints.js';
import { startPostgres } from '../test/harness/postgres.js';
import { machineBusySeconds } from './cpu.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100000,1000000,5000000' }, repeat: { type: 'string', default: '1' }, profile: { type: 'boolean', default: false } } });

interface Result {
  mode: string;
  count: number;
  parallel: number;
  seconds: number;
  rate: number;
  maxRssMb: number | null;
  /** The machine's busy CPU seconds over the clocked part, PostgreSQL included (bench/cpu.ts). */
  machineCpuSeconds: number | null;
}

function child(args: string[], extraNodeArgs: string[] = []): Promise<Result> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...extraNodeArgs, '--import', 'tsx', 'bench/load.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as Result) : reject(new Error(`bench/load.ts ${args.join(' ')} exited with ${code}`))));
  });
}

async function psqlCopy(url: string, file: string, count: number): Promise<Result> {
  const started = process.hrtime.bigint();
  const busy = machineBusySeconds();
  await promisify(execFile)('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', `\\copy usage_records (${usageColumns.join(', ')}) FROM '${file}'`]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const busyAfter = machineBusySeconds();
  return { mode: 'psql \\copy', count, parallel: 1, seconds, rate: count / seconds, maxRssMb: null, machineCpuSeconds: busy === null || busyAfter === null ? null : busyAfter - busy };
}

async function reset(pool: pg.Pool, expected?: number): Promise<void> {
  if (expected !== undefined) {
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM usage_records');
    if (rows[0].n !== expected) throw new Error(`loaded ${rows[0].n} rows, expected ${expected}`);
  }
  await pool.query('TRUNCATE usage_records');
  await pool.query('DROP TABLE IF EXISTS mongo2pg.bulk_progress');
  await pool.query('CHECKPOINT');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Self time per function of each thread's V8 CPU profile, largest first. */
function topFunctions(dir: string, limit = 15): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (files.length === 0) return ['(no profile written)'];
  // Node names them CPU.<date>.<time>.<pid>.<thread>.<seq>: thread 0 is the main thread; the
  // transform threads follow (the loader hooks' own thread, idle, is left out).
  let threads = 0;
  return files.flatMap((file, i) => {
    const lines = profileSummary(join(dir, file), limit);
    if (i > 0 && /^\s*9\d\.\d%\s+\(idle\)/.test(lines[1] ?? '')) return [];
    return [`-- ${i === 0 ? 'main thread' : `transform thread ${++threads}`}: ${lines[0]}`, ...lines.slice(1)];
  });
}

function profileSummary(path: string, limit: number): string[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] };
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = nodes.get(id);
    if (!n) return;
    const where = n.callFrame.url ? `${n.callFrame.url.replace(/^.*\/(node_modules|app|bench)\//, '$1/')}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where}`.trim();
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, t]) => `${((t / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  return [`${(total / 1e6).toFixed(1)} s sampled`, ...top];
}

async function main(): Promise<void> {
  const sizes = (values.sizes as string).split(',').map(Number);
  const repeat = Number(values.repeat);
  // mongo2pg is measured as shipped: the compiled build, whose transform threads run plain JS.
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
  const work = mkdtempSync(join(tmpdir(), 'mongo2pg-bench-'));
  const server = await startPostgres();
  const url = new URL(server.url);
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  url.pathname = '/bench';
  const pool = new pg.Pool({ connectionString: url.toString() });
  const rows: string[][] = [];
  try {
    const quiet = winston.createLogger({ silent: true });
    await migrateSchema(pool, SCHEMA_DIR, quiet);
    // As in a real run, the table keeps only its primary key during the load (the bulk phase sets
    // secondary indexes aside and rebuilds them after); every loader gets that same table.
    await deferConstraints(pool, ['usage_records'], quiet);
    for (const size of sizes) {
      const freeGb = (statfsSync(work).bavail * statfsSync(work).bsize) / 1e9;
      if (size * 450 / 1e9 > freeGb * 0.5) {
        console.log(`skipping ${size}: not enough free disk (${freeGb.toFixed(1)} GB)`);
        continue;
      }
      const runs: Record<string, Result[]> = { ours1: [], ours2: [], inline: [], psql: [], insert: [] };
      const file = join(work, `usage-${size}.copy`);
      await child(['--mode', 'file', '--count', String(size), '--file', file]);
      for (let r = 0; r < repeat; r++) {
        // Interleaved, so drift of a shared machine hits every loader alike.
        runs.psql?.push(await psqlCopy(url.toString(), file, size));
        await reset(pool, size);
        runs.ours1?.push(await child(['--mode', 'ours', '--count', String(size), '--pg', url.toString(), '--parallel', '1']));
        await reset(pool, size);
        runs.ours2?.push(await child(['--mode', 'ours', '--count', String(size), '--pg', url.toString(), '--parallel', '2']));
        await reset(pool, size);
        runs.inline?.push(await child(['--mode', 'ours', '--count', String(size), '--pg', url.toString(), '--parallel', '1', '--threads', '0']));
        await reset(pool, size);
        runs.insert?.push(await child(['--mode', 'insert', '--count', String(size), '--pg', url.toString()]));
        await reset(pool, size);
      }
      rmSync(file);
      const ceiling = median((runs.psql ?? []).map((x) => x.rate));
      const cores = availableParallelism();
      const label: Record<string, string> = {
        psql: 'psql \\copy (pre-transformed file)',
        ours1: 'mongo2pg bulk, 1 range, 2 threads',
        ours2: 'mongo2pg bulk, 2 ranges, 2 threads',
        inline: 'mongo2pg bulk, 1 range, no threads',
        insert: 'INSERT, 500 rows/statement',
      };
      for (const key of ['psql', 'ours1', 'ours2', 'inline', 'insert']) {
        const rs = runs[key] ?? [];
        const rate = median(rs.map((x) => x.rate));
        const rss = rs.every((x) => x.maxRssMb === null) ? '-' : median(rs.map((x) => x.maxRssMb ?? 0)).toFixed(0);
        // CPU per document (all processes), and the rate that CPU would allow with every core busy.
        const cpu = rs.every((x) => x.machineCpuSeconds !== null) ? median(rs.map((x) => (x.machineCpuSeconds as number) / x.count)) : null;
        const cpuCells = cpu === null ? ['-', '-'] : [(cpu * 1e6).toFixed(1), `${((cores / cpu / ceiling) * 100).toFixed(0)}%`];
        rows.push([size.toLocaleString('en-US'), label[key] as string, Math.round(rate).toLocaleString('en-US'), rss, `${((rate / ceiling) * 100).toFixed(0)}%`, ...cpuCells]);
      }
      console.log(`done: ${size}`);
    }
    const header = ['documents', 'loader', 'docs/s (median)', 'peak RSS MB', 'vs psql \\copy', 'CPU µs/doc', 'CPU bound vs psql'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
    console.log(`\nrepeats per figure: ${repeat}; CPUs: ${availableParallelism()}\n`);
    console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
    console.log('\nCPU µs/doc: busy CPU of the whole machine (loader, its threads, PostgreSQL) per document, median.');
    console.log(`CPU bound vs psql: the rate that CPU would allow with all ${availableParallelism()} cores busy, against psql \\copy's measured rate.`);

    if (values.profile) {
      const size = sizes.at(-1) as number;
      const profDir = join(work, 'profile');
      await child(['--mode', 'ours', '--count', String(size), '--pg', url.toString(), '--parallel', '1'], ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
      console.log(`\nwhere mongo2pg's time goes (self time per thread, ${size} documents, 1 range, 2 threads):`);
      for (const l of topFunctions(profDir)) console.log(l);
    }
  } finally {
    await pool.end();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
