// webhook_templates: the webhook columns without the template reference; a
// webhooktemplateref key (no such field in WebhookTemplate) goes to extra.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webhookTemplates as ds } from '../../app/datasets/record/env-webhook-templates.js';
import { danglingField, ENV, ENV_CTX, hex, namedRow, oid, ORG, OTHER_ORG, rejectsField, sweepFixtures } from './datasets-scoped-support.js';

const clean = {
  _id: oid(1),
  name: 'slack-template-0',
  namespace: 'testkube',
  labels: null,
  annotations: null,
  uri: 'https://hooks.example.com/services/{{ .Config.channel }}',
  events: ['end-testworkflow-failed'],
  selector: '',
  payloadobjectfield: '',
  payloadtemplate: '',
  payloadtemplatereference: '',
  headers: null,
  disabled: false,
  config: null,
  parameters: [{ name: 'channel', description: '', required: false, example: '#qa', default_: { value: '#general' }, pattern: '' }],
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  environment_id: ENV,
  name: 'slack-template-0',
  namespace: 'testkube',
  labels: 'null',
  annotations: 'null',
  uri: 'https://hooks.example.com/services/{{ .Config.channel }}',
  events: '{"end-testworkflow-failed"}',
  selector: '',
  payload_object_field: '',
  payload_template: '',
  payload_template_reference: '',
  headers: 'null',
  disabled: false,
  config: 'null',
  parameters: '[{"name":"channel","example":"#qa","default":{"value":"#general"}}]',
  extra: null,
};

test('a clean document maps to one row; "" strings stay "" (only the doc-named columns turn "" into NULL)', () => {
  assert.deepEqual(namedRow(ds, clean, ENV_CTX), cleanRow);
});

test('missing labels (older documents) are NULL; a webhooktemplateref key goes to extra', () => {
  const { labels: _l, ...older } = clean;
  assert.deepEqual(namedRow(ds, { ...older, webhooktemplateref: null, executionnamespace: 'testkube' }, ENV_CTX), { ...cleanRow, labels: null, extra: '{"webhooktemplateref":null,"executionnamespace":"testkube"}' });
});

test('values Go could not decode fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, config: { channel: { value: '#qa' } } }, ENV_CTX, 'config.channel.value');
  rejectsField(ds, { ...clean, events: 'end-testworkflow-failed' }, ENV_CTX, 'events');
  rejectsField(ds, { ...clean, name: null }, ENV_CTX, 'name');
});

test('references: the collection environment', () => {
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${ORG}/${ENV}`] }), null);
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${OTHER_ORG}/${ENV}`] }), '(collection environment)');
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'webhook_templates');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['unknown-field', 'missing-optional', 'null-optional', 'empty-container']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
