/**
 * `mongo2pg verify`, and the verify step at the end of `migrate`: compares the source with the
 * target, logs one line per data set and every difference, prints the verification table, and
 * throws VerificationError (exit code 5) when anything differs. Writes nothing.
 */
import type { Config } from '../config/load.js';
import { bulkDataSets, recordDataSets } from '../datasets/registry.js';
import { HUMAN, type Logger } from '../log/logger.js';
import type { Pool } from '../sink/postgres.js';
import { connectSink } from '../sink/postgres.js';
import { connectSource } from '../source/mongo.js';
import { isTransientSourceError, type SourceDb } from '../source/source-db.js';
import { isTransientSinkError } from '../sink/postgres.js';
import { SinkError, errorMessage } from '../errors.js';
import { retry } from '../util/retry.js';
import type { VerifyOptions, VerifyProgress } from './context.js';
import { verificationError, verificationTable } from './summary.js';
import type { DataSetVerification, VerificationReport } from './types.js';
import { verify } from './verify.js';

export interface VerifyStepDeps {
  config: Config;
  db: SourceDb;
  pool: Pool;
  logger: Logger;
  signal: AbortSignal;
  print: (text: string, meta?: { kind: 'statistics' | 'summary'; task?: string }) => void;
  options?: Partial<VerifyOptions>;
  /** Progress of each data set's verification (progress lines). */
  onProgress?: VerifyProgress;
}

function logDataSet(logger: Logger, d: DataSetVerification): void {
  const fields = { task: d.name, mode: d.mode, source: d.source, migrated: d.migrated, failed: d.failed, skipped: d.skipped, compared: d.compared, duration_seconds: d.durationMs / 1000, ...(d.nonReproducible.length > 0 ? { non_reproducible: d.nonReproducible } : {}) };
  const differences = d.problems.length + d.moreProblems;
  if (differences === 0) {
    logger.info('data set verified', { ...fields, [HUMAN]: `${d.name}: verified (${d.mode}, ${d.source} records: ${d.migrated} migrated, ${d.failed} failed, ${d.skipped} skipped; ${d.compared} compared)` });
    return;
  }
  logger.error('data set differs from its source', { ...fields, differences, [HUMAN]: `${d.name}: ${differences} difference(s)` });
  for (const p of d.problems) logger.error('verification difference', { ...p, [HUMAN]: `${d.name}: ${p.message}` });
}

/** Verifies every registered data set against the connected databases; throws when they differ. */
export async function verifyStep(deps: VerifyStepDeps): Promise<VerificationReport> {
  const { config, logger } = deps;
  const started = Date.now();
  const dataSets = [...recordDataSets(config), ...bulkDataSets(config)];
  // Verification only reads, so a read either side breaks off (a restart, a failover, a
  // terminated PostgreSQL session: issue 13, D11) is verified again from the start on new
  // connections, as the configured attempts allow, rather than ending the run.
  const report = await retry(
    () => verify({ config, db: deps.db, pool: deps.pool, logger, signal: deps.signal, onDataSet: (d) => logDataSet(logger, d), ...(deps.options ? { options: deps.options } : {}), ...(deps.onProgress ? { onProgress: deps.onProgress } : {}) }, dataSets),
    {
      attempts: Math.max(config.mongo.connectionAttempts, config.postgres.connectionAttempts),
      delayMs: Math.max(config.mongo.connectionDelay, config.postgres.connectionDelay),
      signal: deps.signal,
      retryable: (err) => isTransientSourceError(err) || isTransientSinkError(err),
      onRetry: (attempt, err) => logger.warn('verification interrupted by a connection error; verifying again from the start', { attempt, error: errorMessage(err) }),
    },
  ).catch((err: unknown) => {
    if (isTransientSinkError(err)) throw new SinkError('SINK_UNAVAILABLE', `verification could not complete: PostgreSQL connection lost on every attempt: ${errorMessage(err)}`, { cause: err });
    throw err;
  });
  for (const p of report.tableProblems) logger.error('verification difference', { ...p, [HUMAN]: `${p.table}: ${p.message}` });
  // A block like the statistics blocks (the run's summary table stays the last 'summary' block).
  deps.print(verificationTable(report), { kind: 'statistics', task: 'verification' });
  logger.info('verification finished', { ok: report.ok, data_sets: report.dataSets.length, tables: report.tables, duration_seconds: (Date.now() - started) / 1000, [HUMAN]: `verification ${report.ok ? 'passed' : 'failed'}` });
  if (!report.ok) throw verificationError(report);
  return report;
}

/** `mongo2pg verify`: connect, verify, disconnect. */
export async function verifyCommand(deps: Omit<VerifyStepDeps, 'db' | 'pool'>): Promise<VerificationReport> {
  const source = await connectSource(deps.config, deps.logger, deps.signal);
  try {
    const pool = await connectSink(deps.config, deps.logger, deps.signal);
    try {
      return await verifyStep({ ...deps, db: source.db, pool });
    } finally {
      await pool.end();
    }
  } finally {
    await source.close();
  }
}
