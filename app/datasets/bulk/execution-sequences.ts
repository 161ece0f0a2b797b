/**
 * Execution sequences (per organisation/environment `sequences_<org>_<env>`) → Testkube's
 * execution_sequences. Unlike other data sets, a row depends on all sequence documents of its
 * scope and on the executions already loaded (fact sheet §4: the number continues from
 * max(sequence value, highest execution number)), so this runs once per scope after the
 * executions, not document by document.
 */
import type { Document } from 'mongodb';
import { IntegrityError, errorMessage, isMongo2pgError } from '../../errors.js';
import { orphanCollectionError } from '../../engine/integrity.js';
import type { EngineContext } from '../../engine/context.js';
import { insertRows } from '../../engine/insert.js';
import { checkout } from '../../sink/postgres.js';
import { readAgainOnTransientError } from '../../source/source-db.js';
import { describeSources, sourceCollections } from '../../engine/scopes.js';
import { scopedCollectionName } from '../../source/collections.js';
import { ErrorReport } from '../../report/error-report.js';
import { recordIdText } from '../../source/record-id.js';
import type { DataSetStats } from '../../report/stats.js';
import { EXECUTION_SEQUENCES_TABLE, computeSequences } from '../../transform/testkube/index.js';

export const SEQUENCES_DATA_SET = 'execution_sequences';

function idText(doc: Document): string {
  return recordIdText(doc._id);
}

/**
 * One scope's executions, read whole before anything is written, so a read the source breaks off (a
 * restart, a failover) is simply read again, as the bulk ranges resume theirs.
 */
export async function readSequenceScope(ctx: Pick<EngineContext, 'db' | 'logger' | 'signal' | 'config'>, collection: string): Promise<Document[]> {
  return readAgainOnTransientError(
    async () => {
      const read: Document[] = [];
      for await (const doc of ctx.db.collection(collection).find({}, { sort: { _id: 1 } })) read.push(doc);
      return read;
    },
    ctx,
    'reading execution sequences interrupted by a connection error; reading the scope again',
    { collection },
  );
}

export async function runExecutionSequences(ctx: EngineContext): Promise<DataSetStats> {
  const started = Date.now();
  const stats: DataSetStats = { name: SEQUENCES_DATA_SET, total: 0, successful: 0, failed: 0, skipped: 0, durationMs: 0 };
  // Redone whole on every run, so this run's records replace the stored ones.
  const report = await ErrorReport.startOver(ctx.config.convert.workDir || process.cwd(), SEQUENCES_DATA_SET, ctx.redact.text, ctx.config.convert.dryRun ? undefined : ctx.pool);
  // Every scope with sequence documents or executions: a workflow with executions but no sequence
  // document still needs its row, or Testkube would number its next run 1 again.
  const byKey = new Map<string, { collection: string; organizationId?: string; environmentId?: string }>();
  const orphans: string[] = [];
  for (const base of ['sequences', 'testworkflowresults']) {
    for (const s of await sourceCollections(ctx.db, { collection: base, scope: 'environment' })) {
      if (s.orphan) {
        // Sequences of an environment that no longer exists: reported like any orphan record.
        if (base === 'sequences') orphans.push(s.collection);
        continue;
      }
      const key = `${s.organizationId}/${s.environmentId}`;
      if (!byKey.has(key)) byKey.set(key, { ...s, collection: scopedCollectionName('sequences', s.organizationId, s.environmentId) });
    }
  }
  const scopes = [...byKey.values()];
  ctx.logger.info('task started', { task: SEQUENCES_DATA_SET, phase: 'bulk', source: describeSources(scopes, 'sequences'), scopes: scopes.length });
  ctx.progress?.taskStarted(SEQUENCES_DATA_SET, 'bulk', scopes.length);
  try {
    for (const collection of orphans) {
      for await (const doc of ctx.db.collection(collection).find({}, { sort: { _id: 1 } })) {
        stats.total++;
        const err = orphanCollectionError(collection);
        const id = idText(doc);
        if (ctx.config.convert.skipIntegrityErrors) {
          stats.skipped++;
          report.record({ id, error: err.message, code: err.code, context: { collection, skipped: true } });
        } else if (ctx.config.convert.dryRun) {
          stats.failed++;
          report.record({ id, error: err.message, code: err.code, context: { collection } });
        } else {
          report.record({ id, error: err.message, code: err.code, context: { collection } });
          throw new IntegrityError(`${SEQUENCES_DATA_SET}: record ${id}: ${err.message}; the run stops here (set CONVERT_SKIP_INTEGRITY_ERRORS=true to skip and report such records)`, { cause: err, context: { dataSet: SEQUENCES_DATA_SET, recordId: id } });
        }
      }
    }
    for (const scope of scopes) {
      ctx.signal.throwIfAborted();
      const organizationId = scope.organizationId as string;
      const environmentId = scope.environmentId as string;
      const docs = await readSequenceScope(ctx, scope.collection);
      stats.total += docs.length;
      const maxExecutionNumbers = new Map<string, number>();
      if (!ctx.config.convert.dryRun) {
        const { rows } = await ctx.pool.query<{ workflow_name: string; max: number }>(
          `SELECT workflow_name, max(number) AS max FROM test_workflow_executions
            WHERE organization_id = $1 AND environment_id = $2 AND workflow_name IS NOT NULL GROUP BY workflow_name`,
          [organizationId, environmentId],
        );
        for (const r of rows) maxExecutionNumbers.set(r.workflow_name, r.max);
      }
      let result;
      try {
        result = computeSequences({ sequences: docs, maxExecutionNumbers, organizationId, environmentId });
      } catch (err) {
        // One malformed document makes the scope's numbers unknowable: none of them is written.
        for (const doc of docs) {
          report.record({ id: idText(doc), error: `sequences of ${organizationId}/${environmentId} not migrated: ${errorMessage(err)}`, code: isMongo2pgError(err) ? err.code : 'TRANSFORM', context: { collection: scope.collection } });
        }
        stats.failed += docs.length;
        continue;
      }
      for (const ignored of result.ignored) {
        report.record({ id: ignored.id, error: `not migrated: ${ignored.reason}`, code: 'SKIPPED', context: { collection: scope.collection, skipped: true, reason: ignored.reason } });
      }
      stats.skipped += result.ignored.length;
      const decided = result.decisions.reduce((n, d) => n + d.documentIds.length, 0);
      if (!ctx.config.convert.dryRun && result.table.rows.length > 0) {
        const client = await checkout(ctx.pool);
        try {
          await insertRows(client, EXECUTION_SEQUENCES_TABLE, result.table.rows, ctx.config.convert.skipExisting ? 'skip-existing' : 'strict');
        } finally {
          client.release();
        }
      }
      stats.successful += decided;
      ctx.progress?.taskProgress(SEQUENCES_DATA_SET, stats);
    }
  } finally {
    await report.close();
    stats.durationMs = Date.now() - started;
    if (report.summary) stats.report = report.summary;
    ctx.progress?.taskFinished(stats);
  }
  return stats;
}
