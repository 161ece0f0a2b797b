// test_triggers: TestTrigger columns, and `spec` as the Go JSON of the fields without a column
// (selector, resourceSelector, conditionSpec, probeSpec, actionParameters, testSelector, delay).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long } from 'mongodb';
import { testTriggers as ds } from '../../app/datasets/record/env-test-triggers.js';
import { danglingField, ENV, ENV_CTX, hex, namedRow, oid, ORG, OTHER_ORG, rejectsField, sweepFixtures } from './datasets-scoped-support.js';

const clean = {
  _id: oid(1),
  name: 'on-deployment-0',
  namespace: 'testkube',
  labels: { team: 'core' },
  annotations: null,
  selector: null,
  resource: 'deployment',
  resourceselector: { name: 'checkout-api', namespace: 'shop', labelselector: { matchlabels: { app: 'checkout' }, matchexpressions: null } },
  event: 'deployment-image-update',
  conditionspec: { conditions: [{ type_: 'Available', status: 'True', reason: '', ttl: new Int32(60) }], timeout: new Int32(300), delay: new Int32(10) },
  probespec: null,
  action: 'run',
  actionparameters: { config: { target: 'https://staging.example.com' }, tags: { trigger: 'k8s' }, target: null },
  execution: 'testworkflow',
  testselector: { name: 'api-smoke', namespace: 'testkube', labelselector: null },
  concurrencypolicy: 'forbid',
  disabled: false,
  delay: '30s',
};

const SPEC = '{"resourceSelector":{"name":"checkout-api","namespace":"shop","labelSelector":{"matchLabels":{"app":"checkout"}}},'
  + '"conditionSpec":{"conditions":[{"status":"True","type":"Available","ttl":60}],"timeout":300,"delay":10},'
  + '"actionParameters":{"config":{"target":"https://staging.example.com"},"tags":{"trigger":"k8s"}},'
  + '"testSelector":{"name":"api-smoke","namespace":"testkube"},"delay":"30s"}';

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  environment_id: ENV,
  name: 'on-deployment-0',
  namespace: 'testkube',
  labels: '{"team":"core"}',
  annotations: 'null',
  resource: 'deployment',
  event: 'deployment-image-update',
  action: 'run',
  execution: 'testworkflow',
  concurrency_policy: 'forbid',
  disabled: false,
  spec: SPEC,
  extra: null,
};

test('a clean document maps to one row; spec is Go JSON with TestTrigger\'s json tags', () => {
  assert.deepEqual(namedRow(ds, clean, ENV_CTX), cleanRow);
});

test('older documents: no labels and no delay; "" concurrency policy and delay', () => {
  const { labels: _l, delay: _d, ...older } = clean;
  const expected = { ...cleanRow, labels: null, spec: SPEC.replace(',"delay":"30s"', '') };
  assert.deepEqual(namedRow(ds, older, ENV_CTX), expected);
  assert.deepEqual(namedRow(ds, { ...older, labels: null, concurrencypolicy: '', delay: '' }, ENV_CTX), { ...expected, labels: 'null', concurrency_policy: null });
});

test('a selector and probes; numeric width in nested numbers', () => {
  const doc = {
    ...clean,
    selector: { matchexpressions: [{ key: 'tier', operator: 'In', values: ['api'] }] },
    conditionspec: null,
    probespec: { probes: [{ scheme: 'https', host: 'checkout', path: '/health', port: Long.fromNumber(8443), headers: null }], timeout: new Double(60), delay: null },
    actionparameters: null,
    testselector: { name: '', namespace: 'testkube', labelselector: { matchlabels: { suite: 'smoke' } } },
  };
  assert.equal(namedRow(ds, doc, ENV_CTX).spec,
    '{"selector":{"matchExpressions":[{"key":"tier","operator":"In","values":["api"]}]},'
    + '"resourceSelector":{"name":"checkout-api","namespace":"shop","labelSelector":{"matchLabels":{"app":"checkout"}}},'
    + '"probeSpec":{"probes":[{"scheme":"https","host":"checkout","path":"/health","port":8443}],"timeout":60},'
    + '"testSelector":{"namespace":"testkube","labelSelector":{"matchLabels":{"suite":"smoke"}}},"delay":"30s"}');
});

test('unknown fields: top-level ones and keys Go would skip inside spec parts go to extra', () => {
  const doc = { ...clean, testexecutionname: '', resourceselector: { ...clean.resourceselector, kind: 'Deployment' } };
  assert.equal(namedRow(ds, doc, ENV_CTX).extra, '{"resourceselector":{"kind":"Deployment"},"testexecutionname":""}');
});

test('values Go could not decode fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, conditionspec: { ...clean.conditionspec, timeout: new Double(1.5) } }, ENV_CTX, 'conditionspec.timeout');
  rejectsField(ds, { ...clean, testselector: { name: 5 } }, ENV_CTX, 'testselector.name');
  rejectsField(ds, { ...clean, disabled: 0 }, ENV_CTX, 'disabled');
  rejectsField(ds, { ...clean, event: ['created'] }, ENV_CTX, 'event');
  rejectsField(ds, { ...clean, delay: new Int32(30) }, ENV_CTX, 'delay');
});

test('references: the collection environment', () => {
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${ORG}/${ENV}`] }), null);
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${OTHER_ORG}/${ENV}`] }), '(collection environment)');
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'test_triggers');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['unknown-field', 'missing-optional', 'null-optional', 'empty-container', 'numeric-width']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
