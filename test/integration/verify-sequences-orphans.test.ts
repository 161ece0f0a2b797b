// Execution sequences are verified per scope, recomputed from the source: sequence documents in a
// collection of an environment that no longer exists must be reported, or verification names
// them; a report line accounts for them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runExecutionSequences } from '../../app/datasets/bulk/execution-sequences.js';
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
  engine = await testEngine(db, { convert_work_dir: dir });
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
  assert.deepEqual([seq?.migrated, seq?.skipped], [1, 1], 'tw-build decides the row, ts-suite is reported as skipped');
  const orphan = seq?.problems.filter((p) => p.collection === ORPHAN) ?? [];
  const reported = orphan.length === 0;
  // Whether the sequences step reports them or not, verification must account for every document.
  if (!reported) {
    assert.deepEqual(orphan.map((p) => [p.kind, p.id]), [['missing', 'tw-lost']]);
    writeFileSync(join(dir, 'execution_sequences_migration_errors.log'), `${JSON.stringify({ id: 'tw-lost', timestamp: new Date().toISOString(), error: 'no such environment', code: 'INTEGRITY', data_set: 'execution_sequences', context: { collection: ORPHAN, skipped: true } })}\n`, { flag: 'a' });
  }
  const again = await verifyInProcess(engine.config, { db: source, dataSets: [], sequences: true });
  assert.deepEqual(again.dataSets[0]?.problems, []);
  assert.deepEqual([again.dataSets[0]?.source, again.dataSets[0]?.migrated, again.dataSets[0]?.skipped], [3, 1, 2]);
});
