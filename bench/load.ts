/**
 * One benchmark run in its own process, so its peak RSS is its own:
 *   ours     the bulk engine (cursor → transform → COPY, chunked commits with watermarks)
 *   insert   a naive loader: the same transform, multi-row INSERT of 500 rows per statement
 *   file     writes the pre-transformed COPY text file that `psql \copy` loads (the ceiling)
 * Prints one JSON line: { mode, count, seconds, rate, maxRssMb }.
 */
import { createWriteStream } from 'node:fs';
import pg from 'pg';
import { loadConfig } from '../app/config/load.js';
import { usageRecords, usageRow, usageColumns } from '../app/datasets/bulk/usage-records.js';
import { runBulkPhase } from '../app/engine/bulk-engine.js';
import { KnownIds } from '../app/engine/integrity.js';
import { copyLine } from '../app/engine/copy-text.js';
import { insertRows } from '../app/engine/insert.js';
import { createLogger } from '../app/log/logger.js';
import { redactor } from '../app/log/redact.js';
import { bsonSource } from './bson-source.js';

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
const started = process.hrtime.bigint();
const source = bsonSource(count);

if (mode === 'ours') {
  const { config } = loadConfig(new Map([
    ['mongo_dsn', 'mongodb://in-process-bench'], ['postgres_url', pgUrl], ['credentials_master_password', 'b'.repeat(32)],
    ['convert_bulk_parallel', parallel], ['log_level', 'error'], ['log_format', 'json'],
  ]), {});
  const pool = new pg.Pool({ connectionString: pgUrl, max: Number(parallel) + 1 });
  const logger = createLogger(config);
  await runBulkPhase({ config, db: source, pool, logger, redact: redactor([]), signal: new AbortController().signal, known: new KnownIds() }, [usageRecords(null)], () => undefined);
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
const maxRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ mode, count, parallel: Number(parallel), seconds, rate: count / seconds, maxRssMb }));
