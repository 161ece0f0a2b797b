/**
 * One benchmark run in its own process, so its peak RSS is its own (threads included):
 *   ours     the bulk engine as shipped (dist/, built by bench/run.ts): cursor → transform
 *            threads → COPY, chunked commits with watermarks; --parallel ranges, --threads
 *   insert   a naive loader: the same transform, multi-row INSERT of 500 rows per statement
 *   file     writes the pre-transformed COPY text file that `psql \copy` loads (the ceiling)
 *   executions  the bulk engine as shipped, on test workflow executions (--size small|large) from
 *            bench/executions-source.ts (bench/executions.ts runs it)
 * Prints one JSON line: { mode, count, seconds, rate, maxRssMb, machineCpuSeconds } (the machine's
 * busy CPU time over the same clocked part, PostgreSQL's included).
 */
import { createWriteStream } from 'node:fs';
import pg from 'pg';
import { usageRow, usageColumns } from '../app/datasets/bulk/usage-records.js';
import { copyLine } from '../app/engine/copy-text.js';
import { insertRows } from '../app/engine/insert.js';
import { bsonSource } from './bson-source.js';
import { executionsSource, type ExecutionSize } from './executions-source.js';
import { machineBusySeconds } from './cpu.js';

/** A module of the build (dist/), typed by its source: what the image runs, transform threads included. */
async function built<T>(path: string): Promise<T> {
  return (await import(new URL(`../dist/${path}.js`, import.meta.url).href)) as T;
}

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

const mode = arg('mode');
const count = Number(arg('count'));
const pgUrl = arg('pg', 'postgres://unused');
const parallel = arg('parallel', '1');
const threads = arg('threads', '2');
// The clock starts once the process has loaded its modules (paid once per run, not per data set).
let started = process.hrtime.bigint();
let busyAtStart = machineBusySeconds();
let cpuAtStart = process.cpuUsage();
const source = mode === 'executions' ? executionsSource(count, arg('size') as ExecutionSize) : bsonSource(count);

if (mode === 'ours' || mode === 'executions') {
  const { loadConfig } = await built<typeof import('../app/config/load.js')>('config/load');
  const { usageRecords } = await built<typeof import('../app/datasets/bulk/usage-records.js')>('datasets/bulk/usage-records');
  const { testWorkflowExecutions } = await built<typeof import('../app/datasets/bulk/test-workflow-executions.js')>('datasets/bulk/test-workflow-executions');
  const { runBulkPhase } = await built<typeof import('../app/engine/bulk-engine.js')>('engine/bulk-engine');
  const { KnownIds } = await built<typeof import('../app/engine/integrity.js')>('engine/integrity');
  const { createLogger } = await built<typeof import('../app/log/logger.js')>('log/logger');
  const { redactor } = await built<typeof import('../app/log/redact.js')>('log/redact');
  const { config } = loadConfig(new Map([
    ['mongo_dsn', 'mongodb://in-process-bench'], ['postgres_url', pgUrl], ['credentials_master_password', 'b'.repeat(32)],
    ['convert_bulk_parallel', parallel], ['convert_bulk_threads', threads], ['log_level', 'error'], ['log_format', 'json'],
  ]), {});
  const pool = new pg.Pool({ connectionString: pgUrl, max: Number(parallel) + 1 });
  const logger = createLogger(config);
  // From here on, as in a run: thread start, counting, range planning, connections, the load.
  started = process.hrtime.bigint();
  busyAtStart = machineBusySeconds();
  cpuAtStart = process.cpuUsage();
  const dataSet = mode === 'executions' ? testWorkflowExecutions() : usageRecords(null);
  const [stats] = await runBulkPhase({ config, db: source, pool, logger, redact: redactor([]), signal: new AbortController().signal, known: new KnownIds() }, [dataSet], () => undefined);
  if (stats?.successful !== count) throw new Error(`loaded ${stats?.successful} of ${count} documents`);
  await pool.end();
} else if (mode === 'insert') {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  const spec = { table: 'usage_records', columns: usageColumns, conflictKey: ['mongo_id'] };
  let rows = [];
  for await (const doc of source.collection('usage').find({}, { sort: { _id: 1 } })) {
    rows.push(usageRow(doc));
    if (rows.length === 500) {
      await insertRows(client as unknown as pg.PoolClient, spec, rows, 'strict');
      rows = [];
    }
  }
  if (rows.length > 0) await insertRows(client as unknown as pg.PoolClient, spec, rows, 'strict');
  await client.end();
} else if (mode === 'file') {
  const out = createWriteStream(arg('file'));
  for await (const doc of source.collection('usage').find({}, { sort: { _id: 1 } })) {
    if (!out.write(copyLine(usageRow(doc)))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
} else {
  throw new Error(`unknown --mode ${mode}`);
}

const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const busyAtEnd = machineBusySeconds();
const machineCpuSeconds = busyAtStart === null || busyAtEnd === null ? null : busyAtEnd - busyAtStart;
const maxRssMb = process.resourceUsage().maxRSS / 1024;
// This process's own CPU time (every thread), which a busy shared machine does not distort.
const cpu = process.cpuUsage(cpuAtStart);
const processCpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(JSON.stringify({ mode, count, parallel: Number(parallel), threads: Number(threads), seconds, rate: count / seconds, maxRssMb, machineCpuSeconds, processCpuSeconds }));
