/**
 * Test workflow executions (per organisation/environment `testworkflowresults_<org>_<env>`) →
 * open-source Testkube's tables, as docs/testkube-executions.md describes. One document gives an
 * execution row and its result, signatures, outputs, reports, aggregations and workflow rows; the
 * bulk engine COPYs the execution rows and the child rows of a chunk in FK order.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { TransformError } from '../../errors.js';
import { EXECUTION_TABLES, transformExecution } from '../../transform/testkube/index.js';
import type { DropReason, TimeRepairKind } from '../../transform/testkube/index.js';
import type { DataSet } from '../types.js';

export const EXECUTIONS_DATA_SET = 'test_workflow_executions';

/** Counts of source values that have no PostgreSQL column (signature ids, `sync`, unknown keys). */
export type DroppedFields = Map<string, number>;

/**
 * Counter keys of the legacy time repair. They travel with the dropped-field counts (the one map
 * the bulk engine carries back from its threads) and are taken out of it by `notes()`.
 */
const REPAIR_KEYS: Record<TimeRepairKind, string> = { 'scheduled-at': '(time repair: scheduled_at)', durations: '(time repair: durations)' };

export function testWorkflowExecutions(dropped: DroppedFields = new Map()): DataSet {
  const count = (key: string): void => {
    dropped.set(key, (dropped.get(key) ?? 0) + 1);
  };
  // Array indexes vary per document; count by the field's shape.
  const onDropped = (path: string, reason: DropReason): void => count(`${path.replace(/\[\d+\]/g, '[]')} (${reason})`);
  const onRepaired = (what: TimeRepairKind): void => count(REPAIR_KEYS[what]);
  const take = (key: string): number => {
    const n = dropped.get(key) ?? 0;
    dropped.delete(key);
    return n;
  };
  return {
    name: EXECUTIONS_DATA_SET,
    phase: 'bulk',
    collection: 'testworkflowresults',
    scope: 'environment',
    tables: EXECUTION_TABLES,
    dependsOn: ['environments'],
    // A running execution finishes, a finished one gets tags or is re-run (issue 17).
    mutable: true,
    counters: dropped,
    transform(doc, ctx) {
      if (ctx.organizationId === undefined || ctx.environmentId === undefined) {
        throw new TransformError('executions are read per organisation/environment, but this collection has no scope');
      }
      return transformExecution(doc, { organizationId: ctx.organizationId, environmentId: ctx.environmentId }, { onDropped, onRepaired });
    },
    // The execution id when the document has one, else Mongo's own _id: a report line always names the document.
    idOf: (doc: Document) => (typeof doc.id === 'string' && doc.id !== '' ? doc.id : recordIdText(doc._id)),
    // Counted over the committed chunks of this run (a resumed run counts what it loaded itself).
    notes() {
      const scheduled = take(REPAIR_KEYS['scheduled-at']);
      const durations = take(REPAIR_KEYS.durations);
      return [
        { field: 'scheduling_time_repaired', count: scheduled, line: `${scheduled} executions had their scheduling time repaired` },
        { field: 'durations_recomputed', count: durations, line: `${durations} executions had their durations recomputed` },
      ];
    },
  };
}
