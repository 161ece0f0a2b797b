/**
 * testworkflows_<organizationId>_<environmentId> → test_workflow_definitions
 * (docs/data-model/environment-resources.md). Testkube's TestWorkflow, mapped like the workflow
 * rows of executions: spec and status as Go JSON, "" description as NULL, the Go zero time as NULL.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { transformResource } from '../../transform/resource-record.js';
import { objectIdKey } from '../../transform/record-values.js';
import { environmentOf, environmentRef } from '../../transform/scoped-values.js';
import type { DataSet, TransformContext, TransformOutput } from '../types.js';

const TABLE = 'test_workflow_definitions';
export const NAME_LENGTH = 255;

const MAPPED = new Set(['_id', 'name', 'namespace', 'description', 'labels', 'annotations', 'created', 'updated', 'spec', 'readonly', 'status']);

export const testWorkflowColumns = [
  'id', 'organization_id', 'environment_id', 'name', 'namespace', 'description', 'labels', 'annotations', 'spec', 'status', 'read_only', 'created', 'updated', 'extra',
] as const;

export function transformTestWorkflow(doc: Document, ctx: TransformContext): TransformOutput {
  return transformResource('test_workflows', doc, (r) => {
    const scope = environmentOf(ctx);
    const row = [
      objectIdKey(doc._id),
      scope.organizationId,
      scope.environmentId,
      r.requireText('name', { maxLength: NAME_LENGTH }),
      r.text('namespace', { maxLength: NAME_LENGTH }),
      r.text('description', { emptyAsNull: true }),
      r.json('labels', 'map[string]string'),
      r.json('annotations', 'map[string]string'),
      r.json('spec', '*TestWorkflowSpec'),
      r.json('status', '*TestWorkflowStatusSummary'),
      r.bool('readonly'),
      r.time('created'),
      r.time('updated'),
    ];
    return [{ table: TABLE, rows: [[...row, r.extra(MAPPED)]] }];
  });
}

export const testWorkflows: DataSet = {
  name: 'test_workflows',
  phase: 'record',
  collection: 'testworkflows',
  scope: 'environment',
  tables: [{ table: TABLE, columns: testWorkflowColumns, conflictKey: ['organization_id', 'environment_id', 'id'] }],
  dependsOn: ['environments'],
  transform: transformTestWorkflow,
  idOf: (doc) => recordIdText(doc._id),
  references: (_doc, ctx) => [environmentRef(ctx)],
};
