// The catch-up benchmark (`npm run bench:catchup`, issue 17): how long the cutover window is
// compared with a full migration. A throwaway PostgreSQL; an in-process source (no MongoDB server,
// bench/catchup-source.ts) of usage records and test workflow executions; then
//   1. pre-copy: the full bulk load of that source as `migrate` runs it (constraints set aside,
//      bulk engine, execution sequences, constraints restored), timed;
//   2. the source changes by --changed (default 1%) of its documents: retention deletes the oldest
//      usage records and executions, new ones arrive, executions finish (updated in place);
//   3. catch-up of the same data sets, timed; the target's row counts are checked against the source.
// Prints both wall times side by side and their ratio (target: catch-up ≤ 10% of the full load).
//
//   npx tsx bench/catchup.ts [--usage 1000000] [--executions 20000] [--size small|large] [--changed 0.01]
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { ObjectId } from 'mongodb';
import pg from 'pg';
import { catchUpBulkDataSet, catchUpExecutionSequences } from '../app/catchup/bulk.js';
import type { CatchUpCounts } from '../app/catchup/types.js';
import { loadConfig } from '../app/config/load.js';
import { runExecutionSequences } from '../app/datasets/bulk/execution-sequences.js';
import { testWorkflowExecutions } from '../app/datasets/bulk/test-workflow-executions.js';
import { usageRecords } from '../app/datasets/bulk/usage-records.js';
import { runBulkPhase } from '../app/engine/bulk-engine.js';
import type { EngineContext } from '../app/engine/context.js';
import { deferConstraints, restoreConstraints } from '../app/engine/deferred-constraints.js';
import { KnownIds } from '../app/engine/integrity.js';
import { createLogger } from '../app/log/logger.js';
import { redactor } from '../app/log/redact.js';
import { SCHEMA_DIR } from '../app/run/migrate.js';
import { migrateSchema } from '../app/schema-migrations/migrator.js';
import { EXECUTION_SEQUENCES_TABLE, EXECUTION_TABLES } from '../app/transform/testkube/index.js';
import { startPostgres } from '../test/harness/postgres.js';
import { usageBytes } from './bson-source.js';
import { ChangingCollection, changingSource, spreadId, withId } from './catchup-source.js';
import { EXECUTIONS_COLLECTION, benchEnvironments, executionBytes as executionSize, executionBytesOf, type ExecutionSize } from './executions-source.js';

const { values } = parseArgs({ options: { usage: { type: 'string', default: '1000000' }, executions: { type: 'string', default: '20000' }, size: { type: 'string', default: 'small' }, changed: { type: 'string', default: '0.01' } } });
const usageCount = Number(values.usage);
const executionCount = Number(values.executions);
const size = values.size as ExecutionSize;
const changed = Number(values.changed);

/** Execution i with its `number` changed: what a finished (or re-tagged) execution looks like to a digest. */
function updatedExecutions(base: (i: number) => Buffer, updated: ReadonlySet<number>): (i: number) => Buffer {
  const key = Buffer.from('\x10number\x00', 'latin1');
  return (i) => {
    const bytes = base(i);
    if (!updated.has(i)) return bytes;
    const at = bytes.indexOf(key);
    if (at < 0) throw new Error('no int32 `number` in the execution template');
    bytes.writeInt32LE(1_000_000 + i, at + key.length);
    return bytes;
  };
}

const seconds = (from: number): number => (performance.now() - from) / 1000;

async function main(): Promise<void> {
  const server = await startPostgres();
  const url = new URL(server.url);
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS bench_catchup');
  await admin.query('CREATE DATABASE bench_catchup');
  await admin.end();
  url.pathname = '/bench_catchup';
  const { config } = loadConfig(new Map([
    ['mongo_dsn', 'mongodb://in-process-bench'], ['postgres_url', url.toString()], ['credentials_master_password', 'b'.repeat(32)],
    ['log_level', process.env.BENCH_LOG_LEVEL ?? 'error'], ['log_format', 'json'],
  ]), {});
  const pool = new pg.Pool({ connectionString: url.toString(), max: config.convert.bulkParallel + 2 });
  const logger = createLogger(config);

  const updated = new Set<number>();
  // Usage records over 90 days, executions over 180: a day's look-back holds about 1% or 0.5% of them.
  const usageId = (i: number): ObjectId => spreadId(i, usageCount, 90);
  const executionId = (i: number): ObjectId => spreadId(i, executionCount, 180);
  const executionBytes = updatedExecutions(executionBytesOf(size), updated);
  const usage = new ChangingCollection(usageCount, usageId, (i) => withId(usageBytes(i), usageId(i)));
  const executions = new ChangingCollection(executionCount, executionId, (i) => withId(executionBytes(i), executionId(i)));
  const source = changingSource({ environments: benchEnvironments(), usage, [EXECUTIONS_COLLECTION]: executions });
  const ctx: EngineContext = { config, db: source, pool, logger, redact: redactor([]), signal: new AbortController().signal, known: new KnownIds() };
  const dataSets = [usageRecords(null), testWorkflowExecutions()];
  const tables = [...dataSets.flatMap((d) => d.tables.map((t) => t.table)), EXECUTION_SEQUENCES_TABLE.table];
  const total = usageCount + executionCount;
  console.log(`source: ${usageCount.toLocaleString('en-US')} usage records + ${executionCount.toLocaleString('en-US')} ${size} executions (${(executionSize(size) / 1024).toFixed(1)} KB BSON) = ${total.toLocaleString('en-US')} documents, in process (no MongoDB server); ${availableParallelism()} CPUs, CONVERT_BULK_PARALLEL=${config.convert.bulkParallel}, CONVERT_BULK_THREADS=${config.convert.bulkThreads}`);
  try {
    await migrateSchema(pool, SCHEMA_DIR, logger);
    // 1. Pre-copy: the bulk part of `migrate`.
    const fullStarted = performance.now();
    await deferConstraints(pool, tables, logger);
    const stats = await runBulkPhase(ctx, dataSets, () => undefined);
    await runExecutionSequences(ctx);
    await restoreConstraints(pool, logger);
    const fullSeconds = seconds(fullStarted);
    const loaded = stats.reduce((n, s) => n + s.successful, 0);
    if (loaded !== total) throw new Error(`the pre-copy loaded ${loaded} of ${total} documents`);

    // 2. The application keeps running until cutover.
    const usageChanges = Math.round(usageCount * changed);
    const executionChanges = Math.round(executionCount * changed);
    const usageDeleted = new Set(Array.from({ length: Math.floor(usageChanges / 2) }, (_, i) => i));
    usage.change(usageDeleted, usageChanges - usageDeleted.size);
    const executionsDeleted = new Set(Array.from({ length: Math.floor(executionChanges * 0.3) }, (_, i) => i));
    const executionsAdded = Math.floor(executionChanges * 0.3);
    const step = Math.max(1, Math.floor(executionCount / Math.max(1, executionChanges - executionsDeleted.size - executionsAdded)));
    for (let i = executionCount - 1; i >= executionsDeleted.size && updated.size < executionChanges - executionsDeleted.size - executionsAdded; i -= step) updated.add(i);
    executions.change(executionsDeleted, executionsAdded);
    const changes = usageChanges + executionsDeleted.size + executionsAdded + updated.size;
    console.log(`changed after the pre-copy: ${changes.toLocaleString('en-US')} documents (${((100 * changes) / total).toFixed(2)}%): usage ${usageDeleted.size} deleted + ${usageChanges - usageDeleted.size} inserted; executions ${executionsDeleted.size} deleted + ${executionsAdded} inserted + ${updated.size} updated`);

    // 3. Catch-up at cutover.
    const catchUpStarted = performance.now();
    const cctx = { ...ctx, dryRun: false };
    const counts: Array<[string, CatchUpCounts]> = [];
    const took = new Map<string, number>();
    const timed = async (name: string, work: () => Promise<CatchUpCounts>): Promise<void> => {
      const from = performance.now();
      counts.push([name, await work()]);
      took.set(name, seconds(from));
    };
    for (const ds of dataSets) await timed(ds.name, () => catchUpBulkDataSet(cctx, ds));
    await timed('execution_sequences', () => catchUpExecutionSequences(cctx));
    const catchUpSeconds = seconds(catchUpStarted);

    const rows = async (table: string): Promise<number> => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
    if ((await rows('usage_records')) !== usage.count) throw new Error('usage_records does not hold the source\'s records after catch-up');
    if ((await rows('test_workflow_executions')) !== executions.count) throw new Error('test_workflow_executions does not hold the source\'s executions after catch-up');

    console.log('\ncatch-up counts:');
    for (const [name, c] of counts) console.log(`  ${name.padEnd(26)} ${(took.get(name) ?? 0).toFixed(1).padStart(5)} s  inserted ${c.inserted}, updated ${c.updated}, deleted ${c.deleted}, unchanged ${c.unchanged}, failed ${c.failed}`);
    console.log(`\n${'full migration (pre-copy)'.padEnd(28)}${'catch-up'.padEnd(14)}ratio`);
    console.log(`${`${fullSeconds.toFixed(1)} s`.padEnd(28)}${`${catchUpSeconds.toFixed(1)} s`.padEnd(14)}${((100 * catchUpSeconds) / fullSeconds).toFixed(1)}% (target ≤ 10%)`);
    console.log('\nCovers the bulk data sets this source has (usage records, test workflow executions with their child tables) and');
    console.log('execution sequences: the full migration through the bulk engine as `migrate` runs them (constraints set aside and');
    console.log('restored), the catch-up through catchUpBulkDataSet and catchUpExecutionSequences called directly. Not in either');
    console.log('figure: record-level data sets, verification, and the ownership check around catch-up.');
    console.log(`Tables checked after catch-up: usage_records and test_workflow_executions hold exactly the source's counts (${EXECUTION_TABLES.length} execution tables written).`);
  } finally {
    await pool.end();
    await server.stop();
  }
}

await main();
