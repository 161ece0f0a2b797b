/**
 * Verification of a whole run: every data set of the registry (record-level, bulk) and the
 * execution sequences, then every table they write as a whole: its row count, and where every
 * contributing record was re-transformed its order-independent digest, must equal what the
 * source produces. Runs on its own (`mongo2pg verify`) and at the end of `migrate`.
 */
import type { Config } from '../config/load.js';
import type { DataSet } from '../datasets/types.js';
import type { Logger } from '../log/logger.js';
import { checkout, type Pool, type PoolClient } from '../sink/postgres.js';
import type { SourceDb } from '../source/source-db.js';
import { tableCount, tableDigest, tableKeys } from './compare-rows.js';
import { DEFAULT_VERIFY_OPTIONS, type VerifyContext, type VerifyOptions, type VerifyProgress } from './context.js';
import { verifyDataSet } from './data-set.js';
import { equivalences } from './reproducible.js';
import { verifyExecutionSequences } from './sequences.js';
import type { DataSetVerification, Problem, TableCheck, VerificationReport } from './types.js';

export interface VerifyDeps {
  config: Config;
  db: SourceDb;
  pool: Pool;
  logger: Logger;
  signal: AbortSignal;
  options?: Partial<VerifyOptions>;
  /** Also verify execution_sequences (needs the Testkube tables); default true. */
  sequences?: boolean;
  /** Called as each data set is verified. */
  onDataSet?: (result: DataSetVerification) => void;
  /** Called after each batch of checked records (progress lines). */
  onProgress?: VerifyProgress;
}

/** Extra rows named at most per table. */
const EXTRA_KEYS_LISTED = 10;

export async function verify(deps: VerifyDeps, dataSets: readonly DataSet[]): Promise<VerificationReport> {
  const options = { ...DEFAULT_VERIFY_OPTIONS, ...deps.options };
  // One session for every query, so both sides are printed under the same settings.
  const client = await checkout(deps.pool);
  try {
    await client.query("SET TimeZone = 'UTC'");
    return await verifyWith(deps, dataSets, options, client);
  } finally {
    client.release();
  }
}

async function verifyWith(deps: VerifyDeps, dataSets: readonly DataSet[], options: VerifyOptions, client: PoolClient): Promise<VerificationReport> {
  const vctx: VerifyContext = {
    config: deps.config,
    db: deps.db,
    pool: client,
    logger: deps.logger,
    signal: deps.signal,
    options,
    equivalences: equivalences(deps.config),
    tables: new Map(),
    shapes: new Map(),
    trackedKeys: 0,
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
  deps.logger.info('verification started', { data_sets: dataSets.length + (deps.sequences === false ? 0 : 1), full_limit: options.fullLimit, sample_size: options.sampleSize, seed: options.seed });
  const results: DataSetVerification[] = [];
  for (const ds of dataSets) {
    deps.signal.throwIfAborted();
    const r = await verifyDataSet(vctx, ds);
    results.push(r);
    deps.onDataSet?.(r);
  }
  if (deps.sequences !== false) {
    const r = await verifyExecutionSequences(vctx);
    results.push(r);
    deps.onDataSet?.(r);
  }

  const tables: TableCheck[] = [];
  const tableProblems: Problem[] = [];
  for (const t of vctx.tables.values()) {
    deps.signal.throwIfAborted();
    const owner = [...t.dataSets].join(',');
    const columns = t.spec.columns.filter((c) => !t.uncompared.has(c));
    const check: TableCheck = { table: t.spec.table, actualRows: 0 };
    if (t.digest !== undefined) {
      const actual = await tableDigest(client, t.spec.table, columns);
      check.actualRows = actual.rows;
      check.actualDigest = actual.digest;
      check.expectedDigest = t.digest.toString();
    } else {
      check.actualRows = await tableCount(client, t.spec.table);
    }
    if (t.rows !== undefined) check.expectedRows = t.rows;
    tables.push(check);
    if (check.expectedRows !== undefined && check.expectedRows !== check.actualRows) {
      const extra = check.actualRows - check.expectedRows;
      let named: string[] = [];
      if (extra > 0 && t.keys !== null) {
        for await (const key of tableKeys(client, t.spec.table, t.spec.conflictKey)) {
          if (!t.keys.has(key)) named.push(key);
          if (named.length >= EXTRA_KEYS_LISTED) break;
        }
      }
      named = named.slice(0, EXTRA_KEYS_LISTED);
      tableProblems.push({
        kind: extra > 0 ? 'extra' : 'count',
        dataSet: owner,
        table: t.spec.table,
        message: extra > 0
          ? `${t.spec.table} holds ${check.actualRows} rows, the source produces ${check.expectedRows}: ${extra} row(s) no source record produces${named.length > 0 ? ` (keys ${named.join(', ')})` : ''}`
          : `${t.spec.table} holds ${check.actualRows} rows, the source produces ${check.expectedRows}: ${-extra} row(s) missing`,
        ...(named[0] ? { key: named[0] } : {}),
      });
    } else if (check.expectedDigest !== undefined && check.expectedDigest !== check.actualDigest && !t.rowProblems) {
      tableProblems.push({ kind: 'digest', dataSet: owner, table: t.spec.table, expected: check.expectedDigest, actual: check.actualDigest, message: `${t.spec.table}: the digest of its ${check.actualRows} rows differs from the digest of the rows the source produces` });
    }
  }
  const ok = results.every((r) => r.problems.length === 0) && tableProblems.length === 0;
  return { ok, dataSets: results, tables, tableProblems };
}
