/**
 * webhooks_<organizationId>_<environmentId> → webhooks (docs/data-model/environment-resources.md).
 * Testkube's Webhook: headers, config and parameters as Go JSON (`default_` → `default` …); the
 * template reference as its name.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import type { GoResource } from '../../transform/resource-record.js';
import { transformResource } from '../../transform/resource-record.js';
import { objectIdKey } from '../../transform/record-values.js';
import { environmentOf, environmentRef } from '../../transform/scoped-values.js';
import { encodeResource, readResourceStruct, resourceGoType } from '../../transform/resource-go-json.js';
import { toText } from '../../transform/values.js';
import type { DataSet, PgValue, TransformContext, TransformOutput } from '../types.js';
import { NAME_LENGTH } from './env-test-workflows.js';

const TABLE = 'webhooks';

/** Fields webhooks and webhook templates share, in their columns' order. */
export const WEBHOOK_FIELDS = ['_id', 'name', 'namespace', 'labels', 'annotations', 'uri', 'events', 'selector', 'payloadobjectfield', 'payloadtemplate', 'payloadtemplatereference', 'headers', 'disabled', 'config', 'parameters'];

export const sharedWebhookColumns = [
  'id', 'organization_id', 'environment_id', 'name', 'namespace', 'labels', 'annotations', 'uri', 'events', 'selector',
  'payload_object_field', 'payload_template', 'payload_template_reference', 'headers', 'disabled', 'config', 'parameters',
] as const;

export const webhookColumns = [...sharedWebhookColumns, 'webhook_template_name', 'extra'] as const;

const MAPPED = new Set([...WEBHOOK_FIELDS, 'webhooktemplateref']);

/** The columns webhooks and webhook templates share (sharedWebhookColumns). */
export function sharedWebhookRow(doc: Document, ctx: TransformContext, r: GoResource): PgValue[] {
  const scope = environmentOf(ctx);
  return [
    objectIdKey(doc._id),
    scope.organizationId,
    scope.environmentId,
    r.requireText('name', { maxLength: NAME_LENGTH }),
    r.text('namespace', { maxLength: NAME_LENGTH }),
    r.json('labels', 'map[string]string'),
    r.json('annotations', 'map[string]string'),
    // May embed a secret path; stored as it is, and never quoted in an error.
    r.text('uri'),
    r.strings('events'),
    r.text('selector'),
    r.text('payloadobjectfield'),
    r.text('payloadtemplate'),
    r.text('payloadtemplatereference'),
    r.json('headers', 'map[string]string'),
    r.bool('disabled'),
    r.json('config', 'map[string]WebhookConfigValue'),
    r.json('parameters', '[]WebhookParameterSchema'),
  ];
}

/**
 * `webhooktemplateref.name`, NULL when there is no reference. The reference is decoded as Go
 * would (a non-string name fails the record; other keys end up in extra); without a name it is "".
 */
function templateName(r: GoResource): string | null {
  const ref: unknown = r.doc.webhooktemplateref;
  if (ref === undefined || ref === null) return null;
  encodeResource(resourceGoType('*WebhookTemplateRef'), ref, 'webhooktemplateref', r.options);
  const name: unknown = readResourceStruct('WebhookTemplateRef', ref, 'webhooktemplateref', {}).get('name');
  return toText(typeof name === 'string' ? name : '', 'webhooktemplateref.name', { maxLength: NAME_LENGTH });
}

export function transformWebhook(doc: Document, ctx: TransformContext): TransformOutput {
  return transformResource('webhooks', doc, (r) => {
    const row = [...sharedWebhookRow(doc, ctx, r), templateName(r)];
    return [{ table: TABLE, rows: [[...row, r.extra(MAPPED)]] }];
  });
}

export const webhooks: DataSet = {
  name: 'webhooks',
  phase: 'record',
  collection: 'webhooks',
  scope: 'environment',
  tables: [{ table: TABLE, columns: webhookColumns, conflictKey: ['organization_id', 'environment_id', 'id'] }],
  dependsOn: ['environments'],
  transform: transformWebhook,
  idOf: (doc) => recordIdText(doc._id),
  references: (_doc, ctx) => [environmentRef(ctx)],
};
