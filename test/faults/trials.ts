/**
 * Fault trials against the built CLI: a run is killed (SIGKILL), stopped (SIGTERM), has its
 * PostgreSQL COPY sessions terminated or its MongoDB server restarted at a seeded random point,
 * and the target it ends with — after a re-run with CONVERT_SKIP_EXISTING=true where the run
 * stopped — must equal a clean run's target by content digest (every written table's rows,
 * order-independent) and pass verification. Shared by the CI tests (test/integration/faults-*)
 * and the heavy suite (test/faults/*.test.ts, `npm run test:faults`, TRIALS=n).
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, type Db } from 'mongodb';
import pg from 'pg';
import type { Config } from '../../app/config/load.js';
import { recordDataSets } from '../../app/datasets/registry.js';
import { mulberry32 } from '../../app/util/prng.js';
import { FIXTURE_MASTER_PASSWORD, generateFixtures, type FixtureOptions } from '../fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { PG_URL_ENV } from '../harness/postgres.js';
import { baseEnv, spawnCli, type CliResult } from '../helpers/cli.js';
import { contentDigests, terminateBackends, testConfig, workDir, type RestartableMongo } from '../helpers/faults.js';

/** Small but with every kind of record: messy, orphans (skipped), edge cases (failed). */
export const FAULT_FIXTURES: Partial<FixtureOptions> = {
  seed: 17, orgs: 2, envsPerOrg: 2, usersPerOrg: 3, agentsPerOrg: 1, workflowsPerEnv: 2, executionsPerEnv: 8, recordsPerScope: 1,
  aiSessionsPerOrg: 2, toolCallsPerSession: 2, paymentsPerOrg: 3, usageRecords: 500, auditEvents: 120, applicationAuditEvents: 80,
  events: 120, reportingData: 60, messiness: 0.2, orphans: true, edgeCases: true,
};

/** Small batches and chunks: many commits, so a fault lands between and inside them. */
export const FAULT_SETTINGS: Record<string, string> = {
  CONVERT_SKIP_INTEGRITY_ERRORS: 'true',
  CONVERT_BATCH_SIZE: '10',
  CONVERT_WORKERS: '2',
  CONVERT_BULK_READ_SIZE: '20',
  CONVERT_BULK_WRITE_SIZE: '40',
  CONVERT_BULK_PARALLEL: '2',
  CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD,
  PROGRESS_INTERVAL: '1s',
};

export type Phase = 'records' | 'bulk';

/** A CLI run whose JSON log lines can be awaited as they arrive. */
export interface WatchedRun {
  child: ReturnType<typeof spawnCli>['child'];
  done: Promise<CliResult>;
  lines: Array<Record<string, unknown>>;
  waitFor(pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown> | undefined>;
}

export function watch(args: string[], env: Record<string, string>): WatchedRun {
  const { child, done } = spawnCli(args, env);
  const lines: Array<Record<string, unknown>> = [];
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      if (p.trim() === '') continue;
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        lines.push({ message: p });
      }
    }
    for (const w of waiters) w();
  });
  let exited = false;
  void done.then(() => {
    exited = true;
    for (const w of waiters) w();
  });
  return {
    child,
    done,
    lines,
    async waitFor(pred, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.find(pred);
        if (hit || exited || Date.now() > deadline) return hit;
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 200).unref();
        });
      }
    },
  };
}

export const phaseStarted = (phase: Phase) => (l: Record<string, unknown>): boolean => l.message === 'phase started' && l.phase === phase;

/** The shared source and a clean run's target: what every faulted target must equal. */
export interface Baseline {
  source: TestDatabases;
  reference: TestDatabases;
  config: Config;
  digests: Record<string, string>;
  /** Rows the clean run commits in each phase (record tables; bulk watermarks), to place faults inside them. */
  totals: Record<Phase, number>;
  exitCode: number | null;
  /** The clean run's work dir: its error reports are what a faulted run's must equal. */
  workDir: string;
  cleanup(): Promise<void>;
}

export async function generate(db: { mongoUrl: string; mongoDb: string }, fixtures: Partial<FixtureOptions> = FAULT_FIXTURES): Promise<void> {
  const client = new MongoClient(db.mongoUrl);
  await client.connect();
  try {
    await generateFixtures(client.db(db.mongoDb), fixtures);
  } finally {
    await client.close();
  }
}

/**
 * Progress of a phase as committed in the target: rows in the record-level tables, or the bulk
 * phase's committed watermark counts (0 before the tables exist).
 */
export async function progress(pgUrl: string, config: Config, phase: Phase, pool?: pg.Pool): Promise<number> {
  const own = pool ?? new pg.Pool({ connectionString: pgUrl, max: 1 });
  try {
    const sql = phase === 'bulk'
      ? 'SELECT coalesce(sum(migrated + failed + skipped), 0)::text AS n FROM mongo2pg.bulk_progress'
      : `SELECT (${recordTables(config).map((t) => `(SELECT count(*) FROM ${pg.escapeIdentifier(t)})`).join(' + ')})::text AS n`;
    const { rows } = await own.query<{ n: string }>(sql);
    return Number(rows[0]?.n ?? 0);
  } catch {
    return 0;
  } finally {
    if (!pool) await own.end();
  }
}

function recordTables(config: Config): string[] {
  return [...new Set(recordDataSets(config).flatMap((d) => d.tables.map((t) => t.table)))];
}

/** `extend` changes the generated source before the clean run (e.g. addMixedIdsAndBadRows). */
export async function baseline(label: string, fixtures: Partial<FixtureOptions> = FAULT_FIXTURES, extend?: (db: Db) => Promise<unknown>): Promise<Baseline> {
  const source = await createTestDatabases(`${label}-source`);
  await generate(source, fixtures);
  if (extend) {
    const client = new MongoClient(source.mongoUrl, { promoteLongs: false });
    await client.connect();
    try {
      await extend(client.db(source.mongoDb));
    } finally {
      await client.close();
    }
  }
  const reference = await createTestDatabases(`${label}-reference`);
  const cleanDir = workDir();
  const env = { ...baseEnv(reference, cleanDir), ...FAULT_SETTINGS, API_MONGO_DB: source.mongoDb };
  const run = watch(['migrate'], env);
  const result = await run.done;
  const verdict = run.lines.find((l) => l.message === 'verification finished');
  assert.equal(verdict?.ok, true, `the clean run verifies: ${result.stdout.slice(-2000)}`);
  const config = testConfig({ pgUrl: reference.pgUrl, mongoUrl: source.mongoUrl, mongoDb: source.mongoDb });
  return {
    source,
    reference,
    config,
    digests: await contentDigests(reference.pgUrl, config),
    totals: { records: await progress(reference.pgUrl, config, 'records'), bulk: await progress(reference.pgUrl, config, 'bulk') },
    exitCode: result.code,
    workDir: cleanDir,
    cleanup: async () => {
      await Promise.allSettled([source.cleanup(), reference.cleanup()]);
    },
  };
}

export interface TrialResult {
  suite: string;
  fault: 'sigkill' | 'sigterm' | 'sigterm-twice' | 'pg-terminate-copy' | 'mongo-restart';
  seed: number;
  phase: Phase;
  /** The seeded point: inject once the phase has committed this share of the clean run's rows. */
  fraction: number;
  /** The phase's committed rows when the fault came, of the clean run's total (e.g. "212/560"). */
  progressAtFault: string;
  /** When the fault was injected, in ms after the phase started. */
  atMs: number;
  /** The faulted run was still running when the fault came. */
  landed: boolean;
  faultedExit: number | string | null;
  /** How many times the fault was injected into the one run (terminations, restarts). */
  injections: number;
  rerunExit: number | null;
  verified: boolean;
  digestsEqual: boolean;
  differingTables: string[];
  /** The re-run had a fresh, empty work dir (a new pod's emptyDir). */
  freshWorkDir?: boolean;
  /** The error reports in the work dir name the clean run's records, no more, no fewer. */
  reportsEqual?: boolean;
  seconds: number;
}

/** (file, record id, code) of every error report line in a work dir, sorted. */
export function reportLines(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('_migration_errors.log'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const l = JSON.parse(line) as { id: string; code: string; context?: { collection?: string } };
      out.push(`${f} ${l.context?.collection ?? ''} ${l.id} ${l.code}`);
    }
  }
  return out.sort();
}

export function recordResult(result: TrialResult): void {
  const dir = process.env.MONGO2PG_RESULTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'faults.jsonl'), `${JSON.stringify(result)}\n`);
}

function differing(a: Record<string, string>, b: Record<string, string>): string[] {
  return Object.keys(a).filter((k) => a[k] !== b[k]);
}

/** Runs the fault; `inject` gets the watched run and resolves with how many times it injected. */
async function trial(
  base: Baseline,
  opts: { suite: string; fault: TrialResult['fault']; seed: number; phase: Phase; fraction: number; mongoUrl?: string; mongoDb?: string; freshWorkDir?: boolean },
  inject: (run: WatchedRun, target: TestDatabases) => Promise<number>,
  expectFaultedExit: (code: number | null, signal: NodeJS.Signals | null, run: WatchedRun) => boolean,
): Promise<TrialResult> {
  const started = Date.now();
  const target = await createTestDatabases(`${opts.fault}-${opts.seed}`);
  try {
    const env: Record<string, string> = { ...baseEnv(target, workDir()), ...FAULT_SETTINGS, API_MONGO_DSN: opts.mongoUrl ?? base.source.mongoUrl, API_MONGO_DB: opts.mongoDb ?? base.source.mongoDb };
    const run = watch(['migrate'], env);
    const phaseLine = await run.waitFor(phaseStarted(opts.phase));
    let landed = false;
    let injections = 0;
    let atMs = 0;
    let progressAtFault = '';
    if (phaseLine && run.child.exitCode === null) {
      // Poll the committed progress and inject once the seeded share of the phase is done.
      const threshold = Math.floor(opts.fraction * base.totals[opts.phase]);
      const poll = new pg.Pool({ connectionString: target.pgUrl, max: 1 });
      try {
        let done = await progress(target.pgUrl, base.config, opts.phase, poll);
        while (done < threshold && run.child.exitCode === null) {
          await sleep(5);
          done = await progress(target.pgUrl, base.config, opts.phase, poll);
        }
        landed = run.child.exitCode === null && done < base.totals[opts.phase];
        atMs = Date.now() - Date.parse(String(phaseLine.timestamp));
        progressAtFault = `${done}/${base.totals[opts.phase]}`;
      } finally {
        await poll.end();
      }
      injections = await inject(run, target);
    }
    const faulted = await run.done;
    const faultedExit = faulted.signal ?? faulted.code;
    assert.ok(expectFaultedExit(faulted.code, faulted.signal, run) || !landed, `${opts.fault} seed ${opts.seed}: the faulted run ended with ${faultedExit}: ${faulted.stdout.slice(-1500)}${faulted.stderr}`);
    // A run that finished by itself (or recovered) needs no re-run; one that stopped resumes.
    const finished = faulted.code === base.exitCode && faulted.signal === null;
    let rerunExit: number | null = faulted.code;
    let verified = finished && run.lines.some((l) => l.message === 'verification finished' && l.ok === true);
    if (!finished) {
      // A fresh work dir: the replacement pod of a killed one starts with an empty emptyDir.
      if (opts.freshWorkDir) env.CONVERT_WORK_DIR = workDir();
      const rerun = watch(['migrate'], { ...env, CONVERT_SKIP_EXISTING: 'true' });
      const r = await rerun.done;
      rerunExit = r.code;
      verified = rerun.lines.some((l) => l.message === 'verification finished' && l.ok === true);
      assert.equal(r.code, base.exitCode, `${opts.fault} seed ${opts.seed}: the re-run ends like a clean run: ${r.stdout.slice(-2500)}`);
    }
    const digests = await contentDigests(target.pgUrl, base.config);
    const result: TrialResult = {
      suite: opts.suite, fault: opts.fault, seed: opts.seed, phase: opts.phase, fraction: Math.round(opts.fraction * 1000) / 1000, progressAtFault, atMs, landed, faultedExit, injections,
      rerunExit, verified, digestsEqual: differing(base.digests, digests).length === 0, differingTables: differing(base.digests, digests),
      ...(opts.freshWorkDir ? { freshWorkDir: true } : {}), reportsEqual: JSON.stringify(reportLines(env.CONVERT_WORK_DIR as string)) === JSON.stringify(reportLines(base.workDir)), seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    recordResult(result);
    return result;
  } finally {
    await target.cleanup();
  }
}

/** Seeded point of a trial: the phase, and the share of its rows committed before the fault. */
export function trialPoint(seed: number, phase?: Phase): { phase: Phase; fraction: number } {
  // Neighbouring seeds give correlated first outputs of a small PRNG: scramble the seed first.
  const random = mulberry32(Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ (seed >>> 13));
  const p: Phase = phase ?? (random() < 0.5 ? 'records' : 'bulk');
  return { phase: p, fraction: random() * 0.95 };
}

/** `freshWorkDir`: the re-run gets an empty work dir, as a new pod would (issue 13, D4). */
export function sigkillTrial(base: Baseline, suite: string, seed: number, phase?: Phase, freshWorkDir = false): Promise<TrialResult> {
  const point = trialPoint(seed, phase);
  return trial(base, { suite, fault: 'sigkill', seed, ...point, freshWorkDir }, async (run) => {
    run.child.kill('SIGKILL');
    return 1;
  }, (_code, signal) => signal === 'SIGKILL');
}

/** SIGTERM: a graceful stop at the next checkpoint, exit 130; twice: exit 130 at once. */
export function sigtermTrial(base: Baseline, suite: string, seed: number, phase?: Phase, twice = false): Promise<TrialResult> {
  const point = trialPoint(seed, phase);
  return trial(base, { suite, fault: twice ? 'sigterm-twice' : 'sigterm', seed, ...point }, async (run, target) => {
    run.child.kill('SIGTERM');
    if (twice) {
      await sleep(20);
      run.child.kill('SIGTERM');
    }
    const stopped = await Promise.race([run.done.then(() => true), sleep(30_000, false)]);
    assert.ok(stopped, 'the run stops within 30 s of SIGTERM');
    if (run.lines.some((l) => l.message === 'migration finished successfully' || l.message === 'verification finished')) return 0; // it ended before the signal
    assert.ok(run.lines.some((l) => String(l.message).startsWith('signal received')), 'the stop is logged');
    if (twice && run.lines.some((l) => l.message === 'second signal: exiting now')) {
      // Exited at once, wherever it was: like a kill, the re-run must repair it.
    } else {
      assert.equal(run.lines.filter((l) => l.message !== 'run finished').at(-1)?.code, 'INTERRUPTED', 'the last line before the run\'s closing line is the interruption');
      await checkpointConsistent(target.pgUrl);
    }
    return twice ? 2 : 1;
  }, (code, signal, run) => code === 130 ||
    // The second signal can arrive after the graceful stop was logged, while Node is already
    // tearing the process down and no longer runs signal handlers: the default action ends it.
    (twice && signal === 'SIGTERM' && run.lines.some((l) => l.code === 'INTERRUPTED')));
}

/**
 * After a graceful stop nothing is half-written: no session of the run is left, and every bulk
 * table holds exactly the rows its committed watermarks account for.
 */
export async function checkpointConsistent(pgUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: pgUrl, max: 1 });
  try {
    const open = await pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'mongo2pg'");
    assert.equal(open.rows[0].n, 0, 'no session of the stopped run is left open');
    const exists = await pool.query("SELECT to_regclass('mongo2pg.bulk_progress') IS NOT NULL AS ok");
    if (!exists.rows[0].ok) return;
    const { rows } = await pool.query<{ data_set: string; migrated: string }>('SELECT data_set, sum(migrated)::text AS migrated FROM mongo2pg.bulk_progress GROUP BY data_set');
    const tables: Record<string, string> = { usage_records: 'usage_records', audit_log_events: 'audit_log_events', application_audit_events: 'application_audit_events', events: 'events', reporting_data: 'reporting_data', test_workflow_executions: 'test_workflow_executions' };
    for (const r of rows) {
      const table = tables[r.data_set];
      if (!table) continue;
      const count = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${pg.escapeIdentifier(table)}`);
      assert.equal(count.rows[0]?.n, r.migrated, `${r.data_set}: rows committed = the watermark's count`);
    }
  } finally {
    await pool.end();
  }
}

/** PostgreSQL ends the run's COPY sessions `times` times, ~300 ms apart; the bulk engine resumes each range. */
export function pgTerminateTrial(base: Baseline, suite: string, seed: number, times = 3): Promise<TrialResult> {
  const point = trialPoint(seed, 'bulk');
  const serverUrl = process.env[PG_URL_ENV] as string;
  // Early in the load, so there are COPYs left to terminate.
  return trial(base, { suite, fault: 'pg-terminate-copy', seed, ...point, fraction: point.fraction / 3 }, async (run, target) => {
    const database = new URL(target.pgUrl).pathname.slice(1);
    let hits = 0;
    for (let attempt = 0; hits < times && attempt < 400 && run.child.exitCode === null; attempt++) {
      const n = await terminateBackends(serverUrl, database, 'COPY%');
      if (n > 0) {
        hits++;
        await sleep(300);
      } else {
        await sleep(5);
      }
    }
    return hits;
  }, (code) => code === base.exitCode);
}

/** The MongoDB server stops mid-cursor and comes back on the same port and data after `downMs`. */
export function mongoRestartTrial(base: Baseline, suite: string, seed: number, mongo: RestartableMongo, mongoDb: string, phase: Phase = 'bulk', downMs = 1_500): Promise<TrialResult> {
  const point = trialPoint(seed, phase);
  return trial(base, { suite, fault: 'mongo-restart', seed, ...point, mongoUrl: mongo.url, mongoDb }, async () => {
    await mongo.stop();
    await sleep(downMs);
    await mongo.start();
    return 1;
  }, () => true);
}
