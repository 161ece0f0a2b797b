/**
 * Execution sequences are not one row per document: a scope's rows follow from all of its
 * sequence documents plus the highest execution numbers already in the target (fact sheet §4).
 * So they are verified per organisation/environment the same way they are computed: the scope's
 * rows are recomputed with computeSequences from the source documents and the target's
 * test_workflow_executions, and must equal the scope's rows in execution_sequences exactly (no
 * row missing, different or extra). Accounting: a document that decides a row is migrated, one
 * computeSequences ignores must be reported as skipped, and when a scope cannot be computed
 * every document must be reported as failed and the scope must have no rows.
 */
import type { Document } from 'mongodb';
import { SEQUENCES_DATA_SET } from '../datasets/bulk/execution-sequences.js';
import { sourceCollections } from '../engine/scopes.js';
import { errorMessage } from '../errors.js';
import { scopedCollectionName } from '../source/collections.js';
import { EXECUTION_SEQUENCES_TABLE, computeSequences } from '../transform/testkube/index.js';
import { compareRows } from './compare-rows.js';
import { expectationOf, shapeOf, trackKey, type VerifyContext } from './context.js';
import { quote } from './data-set.js';
import { readReportedRecords } from './reports.js';
import type { DataSetVerification, Problem } from './types.js';

function idText(doc: Document): string {
  const id = doc._id as { toHexString?: () => string } | string;
  return typeof id === 'string' ? id : (id.toHexString?.() ?? String(id));
}

export async function verifyExecutionSequences(vctx: VerifyContext): Promise<DataSetVerification> {
  const started = Date.now();
  const name = SEQUENCES_DATA_SET;
  const result: DataSetVerification = { name, mode: 'sequences', source: 0, migrated: 0, failed: 0, skipped: 0, compared: 0, nonReproducible: [], problems: [], moreProblems: 0, durationMs: 0 };
  const problem = (p: Omit<Problem, 'dataSet'>): void => {
    if (result.problems.length < vctx.options.maxProblems) result.problems.push({ dataSet: name, ...p });
    else result.moreProblems++;
    const t = vctx.tables.get(EXECUTION_SEQUENCES_TABLE.table);
    if (t && p.table) t.rowProblems = true;
  };
  const tally = (outcome: 'failed' | 'skipped'): void => {
    if (outcome === 'skipped') result.skipped++;
    else result.failed++;
  };
  const reported = await readReportedRecords(vctx.pool, name);
  const table = expectationOf(vctx, EXECUTION_SEQUENCES_TABLE, name);
  const shape = await shapeOf(vctx, EXECUTION_SEQUENCES_TABLE);

  const scopes = new Map<string, { organizationId: string; environmentId: string; collection: string }>();
  const orphans = new Set<string>();
  for (const base of ['sequences', 'testworkflowresults']) {
    for (const s of await sourceCollections(vctx.db, { collection: base, scope: 'environment' })) {
      if (s.organizationId === undefined || s.environmentId === undefined) {
        if (base === 'sequences') orphans.add(s.collection);
        continue;
      }
      const key = `${s.organizationId}/${s.environmentId}`;
      if (!scopes.has(key)) scopes.set(key, { organizationId: s.organizationId, environmentId: s.environmentId, collection: scopedCollectionName('sequences', s.organizationId, s.environmentId) });
    }
  }

  // Sequence documents of vanished environments: reported, or lost.
  for (const collection of orphans) {
    for await (const doc of vctx.db.collection(collection).find({}, { sort: { _id: 1 } })) {
      result.source++;
      const id = idText(doc);
      const r = reported.get(collection, id);
      if (r) tally(r.outcome);
      else problem({ kind: 'missing', id, collection, message: `sequence document ${id} in ${collection} (no such environment) is neither migrated nor reported` });
    }
  }

  for (const scope of scopes.values()) {
    vctx.signal.throwIfAborted();
    const { organizationId, environmentId, collection } = scope;
    const docs: Document[] = [];
    for await (const doc of vctx.db.collection(collection).find({}, { sort: { _id: 1 } })) docs.push(doc);
    result.source += docs.length;
    const maxExecutionNumbers = new Map<string, number>();
    const { rows: maxima } = await vctx.pool.query<{ workflow_name: string; max: number }>(
      `SELECT workflow_name, max(number) AS max FROM test_workflow_executions
        WHERE organization_id = $1 AND environment_id = $2 AND workflow_name IS NOT NULL GROUP BY workflow_name`,
      [organizationId, environmentId],
    );
    for (const m of maxima) maxExecutionNumbers.set(m.workflow_name, m.max);
    const stored = await vctx.pool.query<{ key: string }>(
      'SELECT ARRAY[name::text, organization_id::text, environment_id::text]::text AS key FROM execution_sequences WHERE organization_id = $1 AND environment_id = $2',
      [organizationId, environmentId],
    );
    let computed;
    try {
      computed = computeSequences({ sequences: docs, maxExecutionNumbers, organizationId, environmentId });
    } catch (err) {
      for (const doc of docs) {
        const id = idText(doc);
        const r = reported.get(collection, id);
        if (r) tally(r.outcome);
        else problem({ kind: 'missing', id, collection, message: `sequences of ${organizationId}/${environmentId} cannot be computed (${errorMessage(err)}) and document ${id} is not reported` });
      }
      for (const s of stored.rows) problem({ kind: 'extra', table: EXECUTION_SEQUENCES_TABLE.table, key: s.key, message: `execution_sequences holds ${s.key} for a scope whose sequences cannot be computed` });
      continue;
    }
    for (const ignored of computed.ignored) {
      const r = reported.get(collection, ignored.id);
      if (r) tally(r.outcome);
      else problem({ kind: 'missing', id: ignored.id, collection, message: `sequence document ${ignored.id} is not migrated (${ignored.reason}) and not reported` });
    }
    const comparisons = await compareRows(vctx.pool, shape, computed.table.rows);
    const expectedKeys = new Set<string>();
    computed.table.rows.forEach((row, i) => {
      const c = comparisons[i];
      const decision = computed.decisions[i];
      const id = decision?.documentIds[0] ?? `${organizationId}/${environmentId}/${String(row[0])}`;
      const docs = decision?.documentIds.length ?? 0;
      if (!c || c.refused !== undefined || !c.found) {
        problem({ kind: c?.refused ? 'refused' : 'missing', id, collection, table: EXECUTION_SEQUENCES_TABLE.table, key: c?.key ?? undefined, message: `the sequence row for ${String(row[0])} in ${organizationId}/${environmentId} (number ${String(row[1])}) is missing${c?.refused ? `: ${c.refused}` : ''}` });
        return;
      }
      expectedKeys.add(c.key ?? '');
      result.migrated += docs;
      result.compared += docs;
      for (const col of c.different) {
        const column = EXECUTION_SEQUENCES_TABLE.columns[col] as string;
        problem({ kind: 'different', id, collection, table: EXECUTION_SEQUENCES_TABLE.table, key: c.key ?? undefined, column, expected: c.expectedTexts?.[col] ?? undefined, actual: c.actualTexts?.[col] ?? undefined, message: `the sequence row for ${String(row[0])} in ${organizationId}/${environmentId}: ${column} is ${quote(c.actualTexts?.[col])}, expected ${quote(c.expectedTexts?.[col])}` });
      }
      if (table.rows !== undefined) table.rows++;
      if (table.digest !== undefined) table.digest += BigInt(c.hash ?? '0');
      trackKey(vctx, table, c.key);
    });
    for (const s of stored.rows) {
      if (!expectedKeys.has(s.key)) problem({ kind: 'extra', table: EXECUTION_SEQUENCES_TABLE.table, key: s.key, message: `execution_sequences holds ${s.key}, which the source does not produce` });
    }
  }
  const { source, migrated, failed, skipped } = result;
  if (source !== migrated + failed + skipped) {
    problem({ kind: 'count', message: `${source} sequence documents ≠ ${migrated} migrated + ${failed} failed + ${skipped} skipped` });
  }
  result.durationMs = Date.now() - started;
  return result;
}
