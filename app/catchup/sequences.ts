/**
 * Catch-up of execution sequences (issue 17): a sequence row depends on every sequence document
 * of its organisation/environment and on the highest execution number in the target (fact sheet
 * §4), so after the executions caught up each scope's rows are computed again exactly as
 * `migrate` computes them (computeSequences) and the stored rows are brought level: new names
 * inserted, changed numbers updated, names no longer there deleted, one transaction per scope.
 * Scopes whose sequences and executions are gone altogether lose their rows.
 */
import { SEQUENCES_DATA_SET, readSequenceScope } from '../datasets/bulk/execution-sequences.js';
import { errorMessage, isMongo2pgError } from '../errors.js';
import { orphanCollectionError } from '../engine/integrity.js';
import { describeSources, sourceCollections } from '../engine/scopes.js';
import type { FailedRecord } from '../report/error-report.js';
import { ensureFailureTable, storeFailures } from '../report/failure-records.js';
import { inTransaction } from '../sink/postgres.js';
import { scopedCollectionName } from '../source/collections.js';
import { recordIdText } from '../source/record-id.js';
import { computeSequences } from '../transform/testkube/index.js';
import { CatchUpTracker } from './tracker.js';
import type { CatchUpContext, CatchUpCounts } from './types.js';

interface Scope {
  collection: string;
  organizationId: string;
  environmentId: string;
}

export async function catchUpExecutionSequences(ctx: CatchUpContext): Promise<CatchUpCounts> {
  const byKey = new Map<string, Scope>();
  const orphans: string[] = [];
  for (const base of ['sequences', 'testworkflowresults']) {
    for (const s of await sourceCollections(ctx.db, { collection: base, scope: 'environment' })) {
      if (s.orphan) {
        if (base === 'sequences') orphans.push(s.collection);
        continue;
      }
      const organizationId = s.organizationId as string;
      const environmentId = s.environmentId as string;
      const key = `${organizationId}/${environmentId}`;
      if (!byKey.has(key)) byKey.set(key, { collection: scopedCollectionName('sequences', organizationId, environmentId), organizationId, environmentId });
    }
  }
  const scopes = [...byKey.values()];
  const tracker = new CatchUpTracker(ctx, SEQUENCES_DATA_SET, scopes.length, describeSources(scopes, 'sequences'));
  const { counts } = tracker;
  const failures: FailedRecord[] = [];

  for (const collection of orphans) {
    for await (const doc of ctx.db.collection(collection).find({}, { sort: { _id: 1 } })) {
      const err = orphanCollectionError(collection);
      const skipped = ctx.config.convert.skipIntegrityErrors;
      failures.push({ id: recordIdText(doc._id), error: err.message, code: err.code, context: { collection, ...(skipped ? { skipped: true } : {}) } });
      if (skipped) counts.skipped++;
      else counts.failed++;
    }
  }

  for (const scope of scopes) {
    ctx.signal.throwIfAborted();
    const docs = await readSequenceScope(ctx, scope.collection);
    const maxExecutionNumbers = new Map<string, number>();
    const { rows: maxRows } = await ctx.pool.query<{ workflow_name: string; max: number }>(
      `SELECT workflow_name, max(number) AS max FROM test_workflow_executions
        WHERE organization_id = $1 AND environment_id = $2 AND workflow_name IS NOT NULL GROUP BY workflow_name`,
      [scope.organizationId, scope.environmentId],
    );
    for (const r of maxRows) maxExecutionNumbers.set(r.workflow_name, r.max);
    // What a clean migration writes for this scope: name → number (nothing when the scope fails).
    const wanted = new Map<string, number>();
    try {
      const result = computeSequences({ sequences: docs, maxExecutionNumbers, organizationId: scope.organizationId, environmentId: scope.environmentId });
      for (const row of result.table.rows) wanted.set(String(row[0]), Number(row[1]));
      for (const ignored of result.ignored) failures.push({ id: ignored.id, error: `not migrated: ${ignored.reason}`, code: 'SKIPPED', context: { collection: scope.collection, skipped: true, reason: ignored.reason } });
      counts.skipped += result.ignored.length;
    } catch (err) {
      for (const doc of docs) failures.push({ id: recordIdText(doc._id), error: `sequences of ${scope.organizationId}/${scope.environmentId} not migrated: ${errorMessage(err)}`, code: isMongo2pgError(err) ? err.code : 'TRANSFORM', context: { collection: scope.collection } });
      counts.failed += docs.length;
    }
    const { rows: stored } = await ctx.pool.query<{ name: string; number: number }>('SELECT name, number FROM execution_sequences WHERE organization_id = $1 AND environment_id = $2', [scope.organizationId, scope.environmentId]);
    const have = new Map(stored.map((r) => [r.name, Number(r.number)]));
    const inserts = [...wanted].filter(([name]) => !have.has(name));
    const updates = [...wanted].filter(([name, n]) => have.has(name) && have.get(name) !== n);
    const deletes = [...have.keys()].filter((name) => !wanted.has(name));
    if (!ctx.dryRun && inserts.length + updates.length + deletes.length > 0) {
      await inTransaction(ctx.pool, async (client) => {
        const params = (names: string[]): unknown[] => [names, scope.organizationId, scope.environmentId];
        if (deletes.length > 0) await client.query('DELETE FROM execution_sequences WHERE name = ANY($1::text[]) AND organization_id = $2 AND environment_id = $3', params(deletes));
        for (const [name, n] of updates) await client.query('UPDATE execution_sequences SET number = $4 WHERE name = $1 AND organization_id = $2 AND environment_id = $3', [name, scope.organizationId, scope.environmentId, n]);
        if (inserts.length > 0) {
          await client.query(
            'INSERT INTO execution_sequences (name, number, organization_id, environment_id) SELECT n, v, $3, $4 FROM unnest($1::text[], $2::int[]) AS t(n, v)',
            [inserts.map(([name]) => name), inserts.map(([, n]) => n), scope.organizationId, scope.environmentId],
          );
        }
      });
    }
    counts.inserted += inserts.length;
    counts.updated += updates.length;
    counts.deleted += deletes.length;
    counts.unchanged += wanted.size - inserts.length - updates.length;
    tracker.tick();
  }

  // Rows of scopes with neither sequence documents nor executions any more.
  const live = new Set(byKey.keys());
  const { rows: stale } = await ctx.pool.query<{ o: string; e: string; n: string }>('SELECT organization_id AS o, environment_id AS e, count(*)::text AS n FROM execution_sequences GROUP BY 1, 2');
  for (const s of stale.filter((r) => !live.has(`${r.o}/${r.e}`))) {
    if (!ctx.dryRun) await ctx.pool.query('DELETE FROM execution_sequences WHERE organization_id = $1 AND environment_id = $2', [s.o, s.e]);
    counts.deleted += Number(s.n);
  }
  if (!ctx.dryRun && failures.length > 0) {
    await ensureFailureTable(ctx.pool);
    await inTransaction(ctx.pool, (client) => storeFailures(client, SEQUENCES_DATA_SET, failures, ctx.redact.text));
  }
  return tracker.finish();
}
