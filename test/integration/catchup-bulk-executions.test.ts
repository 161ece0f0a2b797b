// Catch-up of test workflow executions and execution sequences (issue 17): a pre-copy loads the
// executions (one running), then the source changes: the running execution finishes, a finished
// one gets new tags, one is deleted by retention, new ones arrive (one with an `_id` older than
// every other), an environment goes with its executions. Catch-up re-migrates exactly the changed
// ones with their child rows; every execution table and execution_sequences then equal a clean
// migration of the final source. Dry run, a second run and an aborted run are checked too.
// Executions carry dotted keys FerretDB v1 refuses, so they come from the in-memory BSON source.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId, type Document } from 'mongodb';
import { catchUpBulkDataSet, catchUpExecutionSequences } from '../../app/catchup/bulk.js';
import type { CatchUpCounts } from '../../app/catchup/types.js';
import { runExecutionSequences } from '../../app/datasets/bulk/execution-sequences.js';
import { testWorkflowExecutions } from '../../app/datasets/bulk/test-workflow-executions.js';
import { runBulkPhase } from '../../app/engine/bulk-engine.js';
import { deferConstraints, restoreConstraints } from '../../app/engine/deferred-constraints.js';
import { SCHEMA_DIR } from '../../app/run/migrate.js';
import { migrateSchema } from '../../app/schema-migrations/migrator.js';
import { scopedCollectionName } from '../../app/source/collections.js';
import { EXECUTION_SEQUENCES_TABLE, EXECUTION_TABLES } from '../../app/transform/testkube/index.js';
import { fullExecution } from '../fixtures/testkube/documents.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { memorySource } from '../helpers/bson-source.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { catchUpContext, recordingProgress, tableDigests } from '../helpers/catchup.js';

const ORG = 'tkcorg_00000000000000a1';
const ENV = 'tkcenv_00000000000000b2';
const GONE_ENV = 'tkcenv_00000000000000b3';
const TABLES = [...EXECUTION_TABLES, EXECUTION_SEQUENCES_TABLE];

function execution(n: number, changes: Document = {}): Document {
  const base = fullExecution() as Document;
  const id = `66a1b2c3d4e5f607182900${n.toString(16).padStart(2, '0')}`;
  return { ...base, _id: new ObjectId(`66a1b2c3d4e5f607182901${n.toString(16).padStart(2, '0')}`), id, groupid: id, name: `k6-smoke-${n}`, number: n, ...changes };
}

function running(n: number): Document {
  const doc = execution(n);
  return { ...doc, result: { ...(doc.result as Document), status: 'running', predictedstatus: 'running' } };
}

const results = scopedCollectionName('testworkflowresults', ORG, ENV);
const goneResults = scopedCollectionName('testworkflowresults', ORG, GONE_ENV);
const sequences = scopedCollectionName('sequences', ORG, ENV);

const initial = {
  environments: [{ _id: ENV, organizationId: ORG, name: 'prod' }, { _id: GONE_ENV, organizationId: ORG, name: 'old' }],
  [results]: [execution(1), running(2), execution(3), execution(4), execution(5)],
  [goneResults]: [execution(9)],
  [sequences]: [{ _id: 'k6-smoke', number: 7, executionType: 'tw' }],
};
const olderThanAll = { ...execution(7), _id: new ObjectId('000000010000000000000001') };
const final = {
  environments: [{ _id: ENV, organizationId: ORG, name: 'prod' }],
  // 1 and 5 unchanged; 2 finished; 3 deleted; 4 changed after finishing; 6 and 7 new.
  [results]: [execution(1), execution(2), execution(4, { tags: { env: 'production', rerun: 'yes' } }), execution(5), execution(60), olderThanAll],
  [sequences]: [{ _id: 'k6-smoke', number: 7, executionType: 'tw' }],
};
const EXPECTED: CatchUpCounts = { inserted: 2, updated: 2, deleted: 2, unchanged: 2, failed: 0, skipped: 0 };

const dbs: TestDatabases[] = [];
const engines: TestEngine[] = [];

async function target(label: string, source: Record<string, Document[]>): Promise<TestEngine> {
  const db = await createTestDatabases(label);
  dbs.push(db);
  const engine = await testEngine(db, { convert_work_dir: mkdtempSync(join(tmpdir(), 'mongo2pg-work-')), convert_bulk_write_size: '2' });
  engines.push(engine);
  engine.ctx.db = memorySource(source);
  await migrateSchema(engine.pool, SCHEMA_DIR, engine.ctx.logger);
  await deferConstraints(engine.pool, TABLES.map((t) => t.table), engine.ctx.logger);
  await runBulkPhase(engine.ctx, [testWorkflowExecutions()], () => undefined);
  await runExecutionSequences(engine.ctx);
  await restoreConstraints(engine.pool, engine.ctx.logger);
  return engine;
}

async function catchUp(engine: TestEngine, options: Parameters<typeof catchUpContext>[1] = {}): Promise<{ executions: CatchUpCounts; sequences: CatchUpCounts }> {
  const ctx = catchUpContext(engine, options);
  const { changed, digestDelta, ...executions } = await catchUpBulkDataSet(ctx, testWorkflowExecutions());
  assert.equal(digestDelta, undefined, 'executions\' triggers write other tables: no digest delta');
  // What was written is listed for the verification that follows (a dry run writes nothing).
  const listed = [...(changed?.values() ?? [])].reduce((n, ids) => n + ids.length, 0);
  assert.equal(listed, options.dryRun ? 0 : executions.inserted + executions.updated, 'every document written is listed for verification');
  return { executions, sequences: await catchUpExecutionSequences(ctx) };
}

let clean: TestEngine;
let preCopied: TestEngine;
let aborted: TestEngine;

before(async () => {
  preCopied = await target('catchup-exec-a', initial);
  aborted = await target('catchup-exec-b', initial);
  for (const e of [preCopied, aborted]) e.ctx.db = memorySource(final);
  clean = await target('catchup-exec-clean', final);
});
after(async () => {
  await Promise.allSettled(engines.map((e) => e.close()));
  await Promise.all(dbs.map((d) => d.cleanup()));
});

test('the pre-copy recorded a digest per execution', async () => {
  const { rows } = await preCopied.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM mongo2pg.record_digests WHERE data_set = 'test_workflow_executions'");
  assert.equal(rows[0]?.n, 6);
});

test('a dry run counts what would change and writes nothing', async () => {
  const before = await tableDigests(preCopied.pool, TABLES);
  const { executions } = await catchUp(preCopied, { dryRun: true });
  assert.deepEqual(executions, EXPECTED);
  assert.deepEqual(await tableDigests(preCopied.pool, TABLES), before);
});

test('catch-up makes executions and sequences equal a clean migration of the final source', async () => {
  assert.notDeepEqual(await tableDigests(preCopied.pool, TABLES), await tableDigests(clean.pool, TABLES), 'the source changed since the pre-copy');
  const { executions, sequences: seq } = await catchUp(preCopied);
  assert.deepEqual(executions, EXPECTED);
  assert.equal(seq.updated, 1, `the sequence follows the new highest number (${JSON.stringify(seq)})`);
  assert.deepEqual(await tableDigests(preCopied.pool, TABLES), await tableDigests(clean.pool, TABLES));
  const second = await catchUp(preCopied);
  assert.deepEqual(second.executions, { inserted: 0, updated: 0, deleted: 0, unchanged: 6, failed: 0, skipped: 0 });
  // Sequence documents the migration ignores are reported again (skipped), as `migrate` reports them.
  assert.deepEqual(second.sequences, { ...seq, inserted: 0, updated: 0, deleted: 0, unchanged: seq.unchanged + seq.inserted + seq.updated });
  assert.deepEqual(await tableDigests(preCopied.pool, TABLES), await tableDigests(clean.pool, TABLES));
});

test('a catch-up aborted part way, run again, ends the same', async () => {
  const stop = new AbortController();
  const progress = recordingProgress((_task, done) => {
    if (done > 0) stop.abort(new Error('stopped by the test'));
  });
  await assert.rejects(catchUp(aborted, { signal: stop.signal, progress }), /stopped by the test/);
  assert.notDeepEqual(await tableDigests(aborted.pool, TABLES), await tableDigests(clean.pool, TABLES), 'the abort left work undone');
  await catchUp(aborted);
  assert.deepEqual(await tableDigests(aborted.pool, TABLES), await tableDigests(clean.pool, TABLES));
});
