/**
 * testtriggers_<organizationId>_<environmentId> → test_triggers
 * (docs/data-model/environment-resources.md). Testkube's TestTrigger: the fields without a
 * column of their own form `spec`, Go JSON with TestTrigger's json tags
 * (TestTriggerSpecColumn in resource-go-model.ts).
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { transformResource } from '../../transform/resource-record.js';
import { objectIdKey } from '../../transform/record-values.js';
import { environmentOf, environmentRef } from '../../transform/scoped-values.js';
import type { DataSet, TransformContext, TransformOutput } from '../types.js';
import { NAME_LENGTH } from './env-test-workflows.js';

const TABLE = 'test_triggers';

/** Source keys of `spec`, in TestTrigger's declaration order. */
const SPEC_KEYS = ['selector', 'resourceselector', 'conditionspec', 'probespec', 'actionparameters', 'testselector', 'delay'];

const MAPPED = new Set(['_id', 'name', 'namespace', 'labels', 'annotations', 'resource', 'event', 'action', 'execution', 'concurrencypolicy', 'disabled', ...SPEC_KEYS]);

export const testTriggerColumns = [
  'id', 'organization_id', 'environment_id', 'name', 'namespace', 'labels', 'annotations', 'resource', 'event', 'action', 'execution',
  'concurrency_policy', 'disabled', 'spec', 'extra',
] as const;

export function transformTestTrigger(doc: Document, ctx: TransformContext): TransformOutput {
  return transformResource('test_triggers', doc, (r) => {
    const scope = environmentOf(ctx);
    const row = [
      objectIdKey(doc._id),
      scope.organizationId,
      scope.environmentId,
      r.requireText('name', { maxLength: NAME_LENGTH }),
      r.text('namespace', { maxLength: NAME_LENGTH }),
      r.json('labels', 'map[string]string'),
      r.json('annotations', 'map[string]string'),
      r.text('resource'),
      r.text('event'),
      r.text('action'),
      r.text('execution'),
      r.text('concurrencypolicy', { emptyAsNull: true }),
      r.bool('disabled'),
      r.composed(SPEC_KEYS, 'TestTriggerSpecColumn'),
    ];
    return [{ table: TABLE, rows: [[...row, r.extra(MAPPED)]] }];
  });
}

export const testTriggers: DataSet = {
  name: 'test_triggers',
  phase: 'record',
  collection: 'testtriggers',
  scope: 'environment',
  tables: [{ table: TABLE, columns: testTriggerColumns, conflictKey: ['organization_id', 'environment_id', 'id'] }],
  dependsOn: ['environments'],
  transform: transformTestTrigger,
  idOf: (doc) => recordIdText(doc._id),
  references: (_doc, ctx) => [environmentRef(ctx)],
};
