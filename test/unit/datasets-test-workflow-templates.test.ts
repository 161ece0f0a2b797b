// test_workflow_templates: TestWorkflowTemplateSpec in Go JSON (independent steps, no `use`);
// a `use` key Go has no field for stays in extra.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int32, Long } from 'mongodb';
import { testWorkflowTemplates as ds } from '../../app/datasets/record/env-test-workflow-templates.js';
import { danglingField, ENV, ENV_CTX, hex, namedRow, oid, ORG, OTHER_ORG, rejectsField, sweepFixtures } from './datasets-scoped-support.js';

const spec = {
  config: { vus: { description: '', type_: 'integer', default_: { value: '10' }, enum: null, sensitive: false } },
  content: { git: { uri: 'https://github.com/example/playwright-tests', revision: '', paths: ['tests'], username: '', token: '' }, files: null },
  container: { image: 'mcr.microsoft.com/playwright:v1.44.0', env: [{ name: 'CI', value: '1' }], resources: null, workingdir: null },
  pod: null,
  job: null,
  steps: [
    { name: 'checkout', condition: 'always', negative: false, optional: true, retry: null, timeout: '', shell: 'git log -1 --oneline', run: null, artifacts: null, steps: null },
    { name: 'run', parallel: { count: { value: '2' }, maxcount: null, shell: 'npx playwright test', parallelism: new Int32(2) }, steps: [{ name: 'inner', shell: 'echo', steps: null }] },
  ],
  after: null,
  events: null,
  execution: null,
};

const SPEC = '{"config":{"vus":{"type":"integer","default":{"value":"10"}}},'
  + '"content":{"git":{"uri":"https://github.com/example/playwright-tests","paths":["tests"]}},'
  + '"container":{"image":"mcr.microsoft.com/playwright:v1.44.0","env":[{"name":"CI","value":"1"}]},'
  + '"steps":[{"name":"checkout","condition":"always","optional":true,"shell":"git log -1 --oneline"},'
  + '{"name":"run","parallel":{"count":{"value":"2"},"shell":"npx playwright test","parallelism":2},"steps":[{"name":"inner","shell":"echo"}]}]}';

const clean = {
  _id: oid(1),
  name: 'org--playwright',
  namespace: 'testkube',
  description: '',
  labels: null,
  annotations: null,
  created: new Date('2025-01-01T00:00:00.000Z'),
  updated: new Date('2025-01-01T00:00:00.000Z'),
  spec,
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  environment_id: ENV,
  name: 'org--playwright',
  namespace: 'testkube',
  description: null,
  labels: 'null',
  annotations: 'null',
  spec: SPEC,
  created: '2025-01-01T00:00:00.000Z',
  updated: '2025-01-01T00:00:00.000Z',
  extra: null,
};

test('a clean document maps to one row; independent steps and parallel blocks in Go JSON', () => {
  assert.deepEqual(namedRow(ds, clean, ENV_CTX), cleanRow);
});

test('a `use` key (TestWorkflowTemplateSpec has none) and unknown top-level fields go to extra', () => {
  const doc = { ...clean, spec: { use: null, ...spec }, executionnamespace: 'testkube' };
  assert.deepEqual(namedRow(ds, doc, ENV_CTX), { ...cleanRow, extra: '{"spec":{"use":null},"executionnamespace":"testkube"}' });
});

test('labels and description present; {} containers kept; numeric width', () => {
  const doc = { ...clean, description: 'Playwright template', labels: { team: 'web' }, annotations: {}, spec: { ...spec, steps: [spec.steps[0], { ...spec.steps[1], parallel: { ...spec.steps[1]?.parallel, parallelism: Long.fromNumber(2) } }] } };
  assert.deepEqual(namedRow(ds, doc, ENV_CTX), { ...cleanRow, description: 'Playwright template', labels: '{"team":"web"}', annotations: '{}' });
});

test('missing fields of older documents are NULL', () => {
  const { labels: _l, annotations: _a, updated: _u, ...older } = clean;
  assert.deepEqual(namedRow(ds, older, ENV_CTX), { ...cleanRow, labels: null, annotations: null, updated: null });
});

test('values Go could not decode fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, spec: { ...spec, steps: [{ name: 'x', parallel: { parallelism: 'two' } }] } }, ENV_CTX, 'spec.steps[0].parallel.parallelism');
  rejectsField(ds, { ...clean, spec: { ...spec, config: { vus: { type_: 5 } } } }, ENV_CTX, 'spec.config.vus.type_');
  rejectsField(ds, { ...clean, spec: 'k6' }, ENV_CTX, 'spec');
  rejectsField(ds, { ...clean, namespace: new Int32(1) }, ENV_CTX, 'namespace');
});

test('references: the collection environment', () => {
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${ORG}/${ENV}`] }), null);
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${OTHER_ORG}/${ENV}`] }), '(collection environment)');
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'test_workflow_templates');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['unknown-field', 'missing-optional', 'null-optional', 'empty-container', 'numeric-width']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
