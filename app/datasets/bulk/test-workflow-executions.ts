/**
 * Test workflow executions (per organisation/environment `testworkflowresults_<org>_<env>`) →
 * open-source Testkube's tables, as docs/testkube-executions.md describes. One document gives an
 * execution row and its result, signatures, outputs, reports, aggregations and workflow rows; the
 * bulk engine COPYs the execution rows and the child rows of a chunk in FK order.
 */
import type { Document } from 'mongodb';
import { TransformError } from '../../errors.js';
import { EXECUTION_TABLES, transformExecution } from '../../transform/testkube/index.js';
import type { DropReason } from '../../transform/testkube/index.js';
import type { DataSet } from '../types.js';

export const EXECUTIONS_DATA_SET = 'test_workflow_executions';

/** Counts of source values that have no PostgreSQL column (signature ids, `sync`, unknown keys). */
export type DroppedFields = Map<string, number>;

export function testWorkflowExecutions(dropped: DroppedFields = new Map()): DataSet {
  const onDropped = (path: string, reason: DropReason): void => {
    // Array indexes vary per document; count by the field's shape.
    const key = `${path.replace(/\[\d+\]/g, '[]')} (${reason})`;
    dropped.set(key, (dropped.get(key) ?? 0) + 1);
  };
  return {
    name: EXECUTIONS_DATA_SET,
    phase: 'bulk',
    collection: 'testworkflowresults',
    scope: 'environment',
    tables: EXECUTION_TABLES,
    dependsOn: ['environments'],
    counters: dropped,
    transform(doc, ctx) {
      if (ctx.organizationId === undefined || ctx.environmentId === undefined) {
        throw new TransformError('executions are read per organisation/environment, but this collection has no scope');
      }
      return transformExecution(doc, { organizationId: ctx.organizationId, environmentId: ctx.environmentId }, { onDropped });
    },
    // The execution id when the document has one, else Mongo's own _id: a report line always names the document.
    idOf: (doc: Document) => (typeof doc.id === 'string' && doc.id !== '' ? doc.id : String(doc._id)),
  };
}
