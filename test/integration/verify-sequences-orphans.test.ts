// Execution sequences are verified per scope, recomputed from the source: sequence documents in a
// collection of an environment that no longer exists must be reported, or verification names
// them; a report line accounts for them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runExecutionSequences } from '../../app/datasets/bulk/execution-sequences.js';
import { IntegrityError } from '../../app/errors.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { memorySource } from '../helpers/bson-source.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { verifyInProcess, workDir } from '../helpers/faults.js';

let db: TestDatabases;
let engine: TestEngine;
let dir: string;
const ORPHAN = 'sequences_tkcorg_gone_tkcenv_gone';
const source = memorySource({
  organizations: [{ _id: 'tkcorg_a', name: 'a' }],
  environments: [{ _id: 'tkcenv_a', organizationId: 'tkcorg_a' }],
  sequences_tkcorg_a_tkcenv_a: [{ _id: 'tw-build', number: 3 }, { _id: 'ts-suite', number: 9 }],
  [ORPHAN]: [{ _id: 'tw-lost', number: 5 }],
});

before(async () => {
  db = await createTestDatabases('verify-sequences-orphans');
  dir = workDir();
  engine = await testEngine(db, { convert_work_dir: dir, convert_skip_integrity_errors: 'true' });
  engine.ctx.db = source;
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  await runExecutionSequences(engine.ctx);
});
after(async () => {
  await engine?.close();
  await db?.cleanup();
});

test('the scope\'s rows equal the recomputation; ignored documents are accounted by their report lines', async () => {
  const { rows } = await engine.pool.query('SELECT name, number FROM execution_sequences');
  assert.deepEqual(rows, [{ name: 'build', number: 3 }]);
  const report = await verifyInProcess(engine.config, { db: source, dataSets: [], sequences: true });
  const seq = report.dataSets[0];
  assert.equal(seq?.mode, 'sequences');
  assert.deepEqual([seq?.migrated, seq?.skipped], [1, 2], 'tw-build decides the row; ts-suite and the orphaned tw-lost are reported as skipped');
  assert.deepEqual(seq?.problems.filter((p) => p.collection === ORPHAN), [], 'the orphaned document is accounted for by its report line');
  // The stored failure records removed (as before the sequences step reported orphans): verification names the document.
  await engine.pool.query('CREATE TABLE saved_sequence_failures AS SELECT * FROM mongo2pg.failed_records WHERE data_set = $1', ['execution_sequences']);
  await engine.pool.query("DELETE FROM mongo2pg.failed_records WHERE data_set = 'execution_sequences'");
  const unreported = await verifyInProcess(engine.config, { db: source, dataSets: [], sequences: true });
  assert.ok(unreported.dataSets[0]?.problems.some((p) => p.collection === ORPHAN && p.kind === 'missing' && p.id === 'tw-lost'));
  await engine.pool.query('INSERT INTO mongo2pg.failed_records SELECT * FROM saved_sequence_failures; DROP TABLE saved_sequence_failures');
  const again = await verifyInProcess(engine.config, { db: source, dataSets: [], sequences: true });
  assert.deepEqual(again.dataSets[0]?.problems, []);
  assert.deepEqual([again.dataSets[0]?.source, again.dataSets[0]?.migrated, again.dataSets[0]?.skipped], [3, 1, 2]);
});

test('without CONVERT_SKIP_INTEGRITY_ERRORS, sequences of a vanished environment stop the run', async () => {
  const strict = await testEngine(db, { convert_work_dir: workDir() });
  try {
    strict.ctx.db = source;
    await assert.rejects(runExecutionSequences(strict.ctx), (err: unknown) => err instanceof IntegrityError && err.message.includes(ORPHAN));
  } finally {
    await strict.close();
  }
});
