// webhooks: Testkube's Webhook — events as text[], headers/config/parameters as Go JSON
// (default_ → default, omitempty), the template reference as its name; legacy (2024) documents
// without config, parameters and webhooktemplateref.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32 } from 'mongodb';
import { webhooks as ds } from '../../app/datasets/record/env-webhooks.js';
import { danglingField, ENV, ENV_CTX, hex, namedRow, oid, ORG, OTHER_ORG, rejectsField, sweepFixtures } from './datasets-scoped-support.js';

const PAYLOAD = '{"text": "{{ .TestWorkflowExecution.Name }} finished: {{ .TestWorkflowExecution.Result.Status }}"}';

const clean = {
  _id: oid(1),
  name: 'slack-0',
  namespace: 'testkube',
  labels: { channel: 'qa' },
  annotations: null,
  uri: 'https://hooks.example.com/services/0a1b2c3d/0123456789ab',
  events: ['end-testworkflow-failed', 'become-testworkflow-down'],
  selector: 'team=core',
  payloadobjectfield: '',
  payloadtemplate: PAYLOAD,
  payloadtemplatereference: '',
  headers: { 'Content-Type': 'application/json' },
  disabled: false,
  config: { channel: { value: { value: '#qa-alerts' }, secret: null }, token: { value: null, secret: { namespace: 'testkube', name: 'slack', key: 'token' } } },
  parameters: [{ name: 'channel', description: 'Slack channel', required: true, example: null, default_: null, pattern: '^#' }],
  webhooktemplateref: { name: 'slack-template-0' },
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  environment_id: ENV,
  name: 'slack-0',
  namespace: 'testkube',
  labels: '{"channel":"qa"}',
  annotations: 'null',
  uri: 'https://hooks.example.com/services/0a1b2c3d/0123456789ab',
  events: '{"end-testworkflow-failed","become-testworkflow-down"}',
  selector: 'team=core',
  payload_object_field: '',
  payload_template: PAYLOAD,
  payload_template_reference: '',
  headers: '{"Content-Type":"application/json"}',
  disabled: false,
  config: '{"channel":{"value":{"value":"#qa-alerts"}},"token":{"secret":{"namespace":"testkube","name":"slack","key":"token"}}}',
  parameters: '[{"name":"channel","description":"Slack channel","required":true,"pattern":"^#"}]',
  webhook_template_name: 'slack-template-0',
  extra: null,
};

test('a clean document maps to one row', () => {
  assert.deepEqual(namedRow(ds, clean, ENV_CTX), cleanRow);
});

test('legacy webhooks (2024) lack config, parameters and webhooktemplateref: NULL, not JSON null', () => {
  const { config: _c, parameters: _p, webhooktemplateref: _w, ...legacy } = clean;
  assert.deepEqual(namedRow(ds, legacy, ENV_CTX), { ...cleanRow, config: null, parameters: null, webhook_template_name: null });
});

test('null vs missing vs {}: labels, headers, config, parameters, template reference', () => {
  const doc = { ...clean, labels: null, headers: null, config: null, parameters: [], webhooktemplateref: null, annotations: {} };
  assert.deepEqual(namedRow(ds, doc, ENV_CTX), { ...cleanRow, labels: 'null', headers: 'null', config: 'null', parameters: '[]', webhook_template_name: null, annotations: '{}' });
  const { labels: _l, ...noLabels } = clean;
  assert.equal(namedRow(ds, noLabels, ENV_CTX).labels, null);
  assert.equal(namedRow(ds, { ...clean, webhooktemplateref: {} }, ENV_CTX).webhook_template_name, '');
});

test('quotes and backslashes in events survive the array literal', () => {
  assert.equal(namedRow(ds, { ...clean, events: ['a"b', 'c\\d', ''] }, ENV_CTX).events, '{"a\\"b","c\\\\d",""}');
});

test('unknown fields: top-level ones and keys Go would skip inside config, parameters or the reference go to extra', () => {
  const doc = { ...clean, schemaversion: new Int32(3), webhooktemplateref: { name: 'slack-template-0', namespace: 'testkube' }, parameters: [{ ...clean.parameters[0], hidden: true }] };
  assert.equal(namedRow(ds, doc, ENV_CTX).extra, '{"parameters":{"[0].hidden":true},"webhooktemplateref":{"namespace":"testkube"},"schemaversion":3}');
});

test('values Go could not decode or PostgreSQL could not hold fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, events: ['start-testworkflow', new Int32(1)] }, ENV_CTX, 'events[1]');
  rejectsField(ds, { ...clean, headers: { 'X-Token': 5 } }, ENV_CTX, 'headers["X-Token"]');
  rejectsField(ds, { ...clean, parameters: [{ name: 'a', required: 'yes' }] }, ENV_CTX, 'parameters[0].required');
  rejectsField(ds, { ...clean, webhooktemplateref: { name: 7 } }, ENV_CTX, 'webhooktemplateref.name');
  rejectsField(ds, { ...clean, webhooktemplateref: { name: 'n'.repeat(256) } }, ENV_CTX, 'webhooktemplateref.name');
  rejectsField(ds, { ...clean, disabled: 'false' }, ENV_CTX, 'disabled');
  rejectsField(ds, { ...clean, uri: 'https://x\u0000' }, ENV_CTX, 'uri');
});

test('a failing uri is not quoted in the error (it may embed a secret path)', () => {
  const err = rejectsField(ds, { ...clean, uri: 'https://hooks.example.com/SECRET\u0000' }, ENV_CTX, 'uri');
  assert.ok(!err.message.includes('SECRET'), err.message);
});

test('references: the collection environment; the template name is soft', () => {
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${ORG}/${ENV}`] }), null);
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${OTHER_ORG}/${ENV}`] }), '(collection environment)');
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'webhooks');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['legacy-shape', 'unknown-field', 'missing-optional', 'null-optional', 'empty-container']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
