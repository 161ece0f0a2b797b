/**
 * webhooktemplates_<organizationId>_<environmentId> → webhook_templates
 * (docs/data-model/environment-resources.md). Testkube's WebhookTemplate: a webhook without a
 * template reference, mapped column for column like webhooks.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { transformResource } from '../../transform/resource-record.js';
import { environmentRef } from '../../transform/scoped-values.js';
import type { DataSet, TransformContext, TransformOutput } from '../types.js';
import { sharedWebhookRow, WEBHOOK_FIELDS, sharedWebhookColumns } from './env-webhooks.js';

const TABLE = 'webhook_templates';

const MAPPED = new Set(WEBHOOK_FIELDS);

export const webhookTemplateColumns = [...sharedWebhookColumns, 'extra'] as const;

export function transformWebhookTemplate(doc: Document, ctx: TransformContext): TransformOutput {
  return transformResource('webhook_templates', doc, (r) => {
    const row = sharedWebhookRow(doc, ctx, r);
    return [{ table: TABLE, rows: [[...row, r.extra(MAPPED)]] }];
  });
}

export const webhookTemplates: DataSet = {
  name: 'webhook_templates',
  phase: 'record',
  collection: 'webhooktemplates',
  scope: 'environment',
  tables: [{ table: TABLE, columns: webhookTemplateColumns, conflictKey: ['organization_id', 'environment_id', 'id'] }],
  dependsOn: ['environments'],
  transform: transformWebhookTemplate,
  idOf: (doc) => recordIdText(doc._id),
  references: (_doc, ctx) => [environmentRef(ctx)],
};
