// The catch-up benchmark (`npm run bench:catchup`, issue 17): how long the cutover window is
// compared with a full migration. A throwaway PostgreSQL; an in-process source (no MongoDB server,
// bench/catchup-source.ts) of usage records and test workflow executions (record-level data sets
// see empty collections but for the one environment); then
//   1. full migration: the whole `migrate` orchestrator (pre-flight, schema, record-level and bulk
//      phases, post-load, verification, table digests), timed: the pre-copy;
//   2. the source changes by --changed (default 1%) of its documents: retention deletes the oldest
//      usage records and executions, new ones arrive, executions finish (updated in place); the
//      target is vacuumed, as autovacuum does in the hours before a cutover (in neither timing);
//   3. the whole `catchUp` orchestrator (run lock, ownership check of every table, record-level and
//      bulk catch-up with their dirty marks and digests, post-load, verification), timed; the
//      target's row counts are checked against the source.
// Both runs have the same settings (CONVERT_VERIFY as --verify, default true). Prints both wall
// times side by side, their ratio (target: catch-up ≤ 10%) and where the catch-up's time went.
//
//   BENCH_CPU_PROFILE=<file> (optional): the catch-up's CPU profile, for Chrome DevTools.
//   npx tsx bench/catchup.ts [--usage 1000000] [--executions 20000] [--size small|large] [--changed 0.01] [--verify true|false]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Document, ObjectId } from 'mongodb';
import pg from 'pg';
import { catchUpBulkDataSet, catchUpExecutionSequences } from '../app/catchup/bulk.js';
import { loadConfig } from '../app/config/load.js';
import { createLogger } from '../app/log/logger.js';
import { redactor } from '../app/log/redact.js';
import { catchUp } from '../app/run/catch-up.js';
import { migrate } from '../app/run/migrate.js';
import { EXECUTION_TABLES } from '../app/transform/testkube/index.js';
import { startPostgres } from '../test/harness/postgres.js';
import { usageBytes } from './bson-source.js';
import { ChangingCollection, DocumentCollection, changingSource, spreadId, withId } from './catchup-source.js';
import { BENCH_ENV, BENCH_ORG, EXECUTIONS_COLLECTION, executionBytes as executionSize, executionBytesOf, type ExecutionSize } from './executions-source.js';

const { values } = parseArgs({ options: { usage: { type: 'string', default: '1000000' }, executions: { type: 'string', default: '20000' }, size: { type: 'string', default: 'small' }, changed: { type: 'string', default: '0.01' }, verify: { type: 'string', default: 'true' }, users: { type: 'string', default: '5000' } } });
const userCount = Number(values.users);
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

/** Organisations the usage records name (bench/bson-source.ts: organizationId i % 97). */
const USAGE_ORGS = 97;

/**
 * A usage record whose environment is its organisation's one environment (`tkcenv_` + the
 * organisation's 16 hex digits) instead of one of 389 spread over every organisation: the
 * record-level source then holds 97 environments, as a control plane does, not 37,733 pairs.
 */
function oneEnvironmentPerOrganization(bytes: Buffer): Buffer {
  const org = bytes.indexOf('tkcorg_', 0, 'latin1');
  const env = bytes.indexOf('tkcenv_', 0, 'latin1');
  if (org < 0) throw new Error('no organizationId in the usage template');
  if (env >= 0) bytes.copy(bytes, env + 7, org + 7, org + 7 + 16);
  return bytes;
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
  const workDir = mkdtempSync(join(tmpdir(), 'bench-catchup-'));
  const { config } = loadConfig(new Map([
    ['mongo_dsn', 'mongodb://in-process-bench'], ['postgres_url', url.toString()], ['credentials_master_password', 'b'.repeat(32)],
    ['log_level', process.env.BENCH_LOG_LEVEL ?? 'error'], ['log_format', 'json'], ['convert_verify', values.verify as string], ['convert_work_dir', workDir],
  ]), {});
  const logger = createLogger(config);
  const printed: string[] = [];
  const deps = { config, logger, redact: redactor(config.secrets), signal: new AbortController().signal, print: (t: string) => printed.push(t) };

  const updated = new Set<number>();
  // Usage records over 90 days, executions over 180: a day's look-back holds about 1% or 0.5% of them.
  const usageId = (i: number): ObjectId => spreadId(i, usageCount, 90);
  const executionId = (i: number): ObjectId => spreadId(i, executionCount, 180);
  const executionBytes = updatedExecutions(executionBytesOf(size), updated);
  const usage = new ChangingCollection(usageCount, usageId, (i) => withId(oneEnvironmentPerOrganization(usageBytes(i)), usageId(i)));
  const executions = new ChangingCollection(executionCount, executionId, (i) => withId(executionBytes(i), executionId(i)));
  // Record-level data sets: users, the one organisation, its environments (the executions' among them).
  const created = new Date('2026-01-01T00:00:00Z');
  const user = (i: number, name = `User ${i}`): Document => ({ _id: spreadId(i, userCount, 365), email: `user${i}@example.com`, name, createdAt: created });
  const users = new DocumentCollection(Array.from({ length: userCount }, (_, i) => user(i)));
  // The usage records' 97 organisations (each with its one environment) and the executions' one.
  const usageOrgs = Array.from({ length: USAGE_ORGS }, (_, k) => k.toString(16).padStart(16, '0'));
  const organizations = new DocumentCollection([{ _id: BENCH_ORG, name: 'bench', createdAt: created }, ...usageOrgs.map((hex) => ({ _id: `tkcorg_${hex}`, name: `org ${hex}`, createdAt: created }))]);
  const environment = (id: string, org: string): Document => ({ _id: id, organizationId: org, name: id, createdAt: created });
  const environments = new DocumentCollection([environment(BENCH_ENV, BENCH_ORG), ...usageOrgs.map((hex) => environment(`tkcenv_${hex}`, `tkcorg_${hex}`))]);
  const environmentCount = environments.all.length;
  const source = changingSource({ users, organizations, environments, usage, [EXECUTIONS_COLLECTION]: executions });
  const total = usageCount + executionCount + userCount + organizations.all.length + environmentCount;
  console.log(`source: ${usageCount.toLocaleString('en-US')} usage records + ${executionCount.toLocaleString('en-US')} ${size} executions (${(executionSize(size) / 1024).toFixed(1)} KB BSON) + ${userCount} users, ${organizations.all.length} organisations, ${environmentCount} environments = ${total.toLocaleString('en-US')} documents, in process (no MongoDB server); ${availableParallelism()} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, CONVERT_BULK_PARALLEL=${config.convert.bulkParallel}, CONVERT_BULK_THREADS=${config.convert.bulkThreads}, CONVERT_VERIFY=${config.convert.verify}`);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  try {
    // 1. Full migration (the pre-copy): the whole `migrate`.
    const fullStarted = performance.now();
    const full = await migrate({ ...deps, source });
    const fullSeconds = seconds(fullStarted);
    const loaded = full.stats.filter((s) => ['usage_records', 'test_workflow_executions', 'users', 'organizations', 'environments'].includes(s.name)).reduce((n, s) => n + s.successful, 0);
    if (loaded !== total) throw new Error(`the pre-copy loaded ${loaded} of ${total} documents`);

    // 2. The application keeps running until cutover: hours in which autovacuum visits the tables
    // the pre-copy filled (PostgreSQL 13+ vacuums after inserts), setting their visibility maps.
    // Done here at once, outside both timings (the throwaway server's autovacuum would get to it
    // in its own time, so the catch-up would find it done or not by chance).
    const vacuumStarted = performance.now();
    await pool.query('VACUUM');
    console.log(`pre-copy: ${fullSeconds.toFixed(1)} s; then VACUUM of the target (autovacuum's pass before the cutover): ${seconds(vacuumStarted).toFixed(1)} s, in neither figure`);

    const usageChanges = Math.round(usageCount * changed);
    const executionChanges = Math.round(executionCount * changed);
    const usageDeleted = new Set(Array.from({ length: Math.floor(usageChanges / 2) }, (_, i) => i));
    usage.change(usageDeleted, usageChanges - usageDeleted.size);
    const executionsDeleted = new Set(Array.from({ length: Math.floor(executionChanges * 0.3) }, (_, i) => i));
    const executionsAdded = Math.floor(executionChanges * 0.3);
    const step = Math.max(1, Math.floor(executionCount / Math.max(1, executionChanges - executionsDeleted.size - executionsAdded)));
    for (let i = executionCount - 1; i >= executionsDeleted.size && updated.size < executionChanges - executionsDeleted.size - executionsAdded; i -= step) updated.add(i);
    executions.change(executionsDeleted, executionsAdded);
    // Users: a third of their changes deletes, a third renames, a third sign-ups; one environment added.
    const userChanges = Math.max(3, Math.round(userCount * changed));
    const third = Math.floor(userChanges / 3);
    const renamed = new Set(Array.from({ length: third }, (_, i) => userCount - 1 - i * 7));
    users.set([
      ...users.all.slice(third).map((u, i) => (renamed.has(i + third) ? { ...u, name: `Renamed ${i + third}` } : u)),
      ...Array.from({ length: userChanges - 2 * third }, (_, i) => user(userCount + i)),
    ]);
    environments.set([...environments.all, environment('tkcenv_00000000cafe0001', BENCH_ORG)]);
    const changes = usageChanges + executionsDeleted.size + executionsAdded + updated.size + userChanges + 1;
    console.log(`changed after the pre-copy: ${changes.toLocaleString('en-US')} documents (${((100 * changes) / total).toFixed(2)}%): usage ${usageDeleted.size} deleted + ${usageChanges - usageDeleted.size} inserted; executions ${executionsDeleted.size} deleted + ${executionsAdded} inserted + ${updated.size} updated; users ${third} deleted + ${renamed.size} renamed + ${userChanges - 2 * third} inserted; 1 environment inserted`);

    // 3. Catch-up at cutover: the whole `catchUp` (BENCH_CPU_PROFILE=<file>: its CPU profile, this process).
    const profiler = process.env.BENCH_CPU_PROFILE ? new inspector.Session() : null;
    profiler?.connect();
    const post = (method: string): Promise<unknown> => new Promise((resolve, reject) => profiler?.post(method, (err, out) => (err ? reject(err) : resolve(out))));
    if (profiler) await post('Profiler.enable').then(() => post('Profiler.start'));
    const catchUpStarted = performance.now();
    const result = await catchUp({ ...deps, source, bulk: { bulkDataSet: catchUpBulkDataSet, executionSequences: catchUpExecutionSequences } });
    const catchUpSeconds = seconds(catchUpStarted);
    if (profiler) writeFileSync(process.env.BENCH_CPU_PROFILE as string, JSON.stringify(((await post('Profiler.stop')) as { profile: unknown }).profile));

    const rows = async (table: string): Promise<number> => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
    if ((await rows('usage_records')) !== usage.count) throw new Error('usage_records does not hold the source\'s records after catch-up');
    if ((await rows('test_workflow_executions')) !== executions.count) throw new Error('test_workflow_executions does not hold the source\'s executions after catch-up');
    if ((await rows('users')) !== users.all.length || (await rows('environments')) !== environments.all.length) throw new Error('users or environments do not hold the source\'s records after catch-up');

    const t = result.timings;
    if (!t) throw new Error('catch-up returned no timings');
    const s = (ms: number): string => `${(ms / 1000).toFixed(2).padStart(6)} s`;
    const line = (name: string, ms: number, note = ''): void => console.log(`  ${name.padEnd(56)}${s(ms)}${note ? `  ${note}` : ''}`);
    const countsOf = (name: string): string => {
      const c = result.counts.get(name);
      return c ? `inserted ${c.inserted}, updated ${c.updated}, deleted ${c.deleted}, unchanged ${c.unchanged}, failed ${c.failed}` : '';
    };
    const recordSets = [...result.counts.keys()].filter((n) => !t.bulk.some((b) => b.name === n));
    const recordChanges = recordSets.reduce((n, name) => { const c = result.counts.get(name); return n + (c ? c.inserted + c.updated + c.deleted : 0); }, 0);
    const accounted = t.ownershipMs + t.recordsMs + t.bulkMs + t.recordedMs + t.postLoadMs + t.verifyMs;
    console.log('\nwhere the catch-up went:');
    line('ownership check (every table: row headers, digests where needed)', t.ownershipMs);
    line(`record-level data sets (${recordSets.length}, digests included)`, t.recordsMs, `${recordChanges} changed`);
    line(`bulk data sets and execution sequences (${t.bulk.length}, side by side: CONVERT_BULK_PARALLEL=${config.convert.bulkParallel}), wall`, t.bulkMs);
    for (const b of t.bulk) {
      line(`  ${b.name}`, b.handlerMs, countsOf(b.name));
      line(`    ${b.name}: dirty marks + digests (${b.digests})`, b.digestsMs);
    }
    line(`tables the bulk data sets wrote recorded (${t.recorded.headers} by row count and horizon, ${t.recorded.read} digests read)`, t.recordedMs);
    line('post-load (constraints, sequences)', t.postLoadMs);
    line(`verification${config.convert.verify ? '' : ' (off: CONVERT_VERIFY=false)'}`, t.verifyMs);
    line('rest (connect, lock, master password, summary)', catchUpSeconds * 1000 - accounted);
    console.log(`\n${'full migration (migrate)'.padEnd(28)}${'catch-up'.padEnd(14)}ratio`);
    console.log(`${`${fullSeconds.toFixed(1)} s`.padEnd(28)}${`${catchUpSeconds.toFixed(1)} s`.padEnd(14)}${((100 * catchUpSeconds) / fullSeconds).toFixed(1)}% (target ≤ 10%)`);
    console.log(`\nBoth figures are the whole orchestrators on the same in-process source and settings (verification ${config.convert.verify ? 'on' : 'off'} in both): migrate`);
    console.log('(pre-flight, schema, every data set, post-load, verification, table digests) and catch-up (run lock, ownership');
    console.log('check, every data set, dirty marks and digests, post-load, verification). Record-level data sets: users, organisations');
    console.log('and environments hold documents; the other record-level collections are empty here (not measured).');
    console.log(`Tables checked after catch-up: usage_records, test_workflow_executions, users and environments hold exactly the source's counts (${EXECUTION_TABLES.length} execution tables written). Load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
  } finally {
    await pool.end();
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
