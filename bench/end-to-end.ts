// End-to-end throughput (`npm run bench:e2e`): throwaway PostgreSQL and FerretDB, a generated
// control plane, then the built CLI migrates it. Prints records/second of the record-level phase
// (all record data sets together) and of each bulk data set, read from the run's own statistics.
// FerretDB (SQLite backend) is the source here, so these figures include its read speed; the
// pipeline's own ceiling is measured by bench/run.ts from an in-process BSON source.
//
//   npx tsx bench/end-to-end.ts [--scale small|medium|large] [--usage N] [--workers N] [--fixtures '{"orgs":50,…}']
// --fixtures overrides any generator option (test/fixtures/options.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { FIXTURE_MASTER_PASSWORD, generateFixtures, type Scale } from '../test/fixtures/generate.js';
import { startServices } from '../scripts/services.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { scale: { type: 'string', default: 'medium' }, usage: { type: 'string' }, workers: { type: 'string', default: '10' }, fixtures: { type: 'string', default: '{}' } } });

interface Stats { total: number; successful: number; failed: number; skipped: number; duration_seconds: number; records_per_second: number }

function runCli(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/main.js', 'migrate'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', () => resolve(out));
  });
}

const services = await startServices({ pushgateway: false });
try {
  const mongoUrl = services.env.MONGO2PG_TEST_MONGO_URL as string;
  const pgUrl = new URL(services.env.MONGO2PG_TEST_PG_URL as string);
  const admin = new pg.Client({ connectionString: pgUrl.toString() });
  await admin.connect();
  await admin.query('CREATE DATABASE bench_e2e');
  await admin.end();
  pgUrl.pathname = '/bench_e2e';

  const client = new MongoClient(mongoUrl);
  await client.connect();
  const generated = performance.now();
  const manifest = await generateFixtures(client.db('bench'), { seed: 1, ...(values.usage ? { usageRecords: Number(values.usage) } : {}), ...(JSON.parse(values.fixtures as string) as object) }, { scale: values.scale as Scale });
  await client.close();
  console.log(`generated ${manifest.totalDocuments} documents (scale ${values.scale}) in ${((performance.now() - generated) / 1000).toFixed(0)}s`);

  const out = await runCli({
    API_MONGO_DSN: mongoUrl, API_MONGO_DB: 'bench', API_POSTGRES_URL: pgUrl.toString(), CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD,
    CONVERT_WORK_DIR: mkdtempSync(join(tmpdir(), 'mongo2pg-bench-')), CONVERT_SKIP_INTEGRITY_ERRORS: 'true', CONVERT_WORKERS: values.workers as string,
    CONVERT_VERIFY: 'false', LOG_FORMAT: 'json',
  });
  const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const phaseOf = new Map(lines.filter((l) => l.message === 'task started').map((l) => [l.task as string, l.phase as string]));
  const finished = lines.filter((l) => l.message === 'task finished').map((l) => ({ task: l.task as string, ...(l.statistics as Stats) }));
  const records = finished.filter((f) => phaseOf.get(f.task) === 'records');
  const started = lines.find((l) => l.message === 'phase started' && l.phase === 'records');
  const bulkStarted = lines.find((l) => l.message === 'phase started' && l.phase === 'bulk');
  const recordSeconds = (Date.parse(String(bulkStarted?.timestamp)) - Date.parse(String(started?.timestamp))) / 1000;
  const recordTotal = records.reduce((n, r) => n + r.total, 0);
  console.log(`\nrecord-level phase: ${recordTotal} records in ${records.length} data sets, ${recordSeconds.toFixed(1)}s wall, ${(recordTotal / recordSeconds).toFixed(0)} records/s (CONVERT_WORKERS=${values.workers})`);
  console.log('\nbulk data sets:');
  for (const f of finished.filter((x) => phaseOf.get(x.task) === 'bulk')) {
    console.log(`  ${f.task.padEnd(26)} ${String(f.total).padStart(8)} records  ${f.duration_seconds.toFixed(1).padStart(6)}s  ${f.records_per_second.toFixed(0).padStart(7)} records/s`);
  }
  const result = lines.at(-1);
  console.log(`\nresult: ${String(result?.message)} ${result?.summary ? String(result.summary) : ''}`);
} finally {
  await services.stop();
}
