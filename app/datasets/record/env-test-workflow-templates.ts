/**
 * testworkflowtemplates_<organizationId>_<environmentId> → test_workflow_templates
 * (docs/data-model/environment-resources.md). Testkube's TestWorkflowTemplate: spec as Go JSON
 * of TestWorkflowTemplateSpec (independent steps and services, no `use`).
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { transformResource } from '../../transform/resource-record.js';
import { objectIdKey } from '../../transform/record-values.js';
import { environmentOf, environmentRef } from '../../transform/scoped-values.js';
import type { DataSet, TransformContext, TransformOutput } from '../types.js';
import { NAME_LENGTH } from './env-test-workflows.js';

const TABLE = 'test_workflow_templates';

const MAPPED = new Set(['_id', 'name', 'namespace', 'description', 'labels', 'annotations', 'created', 'updated', 'spec']);

export const testWorkflowTemplateColumns = [
  'id', 'organization_id', 'environment_id', 'name', 'namespace', 'description', 'labels', 'annotations', 'spec', 'created', 'updated', 'extra',
] as const;

export function transformTestWorkflowTemplate(doc: Document, ctx: TransformContext): TransformOutput {
  return transformResource('test_workflow_templates', doc, (r) => {
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
      r.json('spec', '*TestWorkflowTemplateSpec'),
      r.time('created'),
      r.time('updated'),
    ];
    return [{ table: TABLE, rows: [[...row, r.extra(MAPPED)]] }];
  });
}

export const testWorkflowTemplates: DataSet = {
  name: 'test_workflow_templates',
  phase: 'record',
  collection: 'testworkflowtemplates',
  scope: 'environment',
  tables: [{ table: TABLE, columns: testWorkflowTemplateColumns, conflictKey: ['organization_id', 'environment_id', 'id'] }],
  dependsOn: ['environments'],
  transform: transformTestWorkflowTemplate,
  idOf: (doc) => recordIdText(doc._id),
  references: (_doc, ctx) => [environmentRef(ctx)],
};
