// test_workflows → test_workflow_definitions: Testkube's TestWorkflow as its API writes it — spec
// and status in Go JSON (type_ → type, default_ → default, omitempty), "" description as NULL,
// the Go zero time as NULL, keys Go would skip kept in extra; legacy documents without
// readonly/status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long } from 'mongodb';
import { testWorkflows as ds } from '../../app/datasets/record/env-test-workflows.js';
import { danglingField, ENV, ENV_CTX, hex, namedRow, oid, ORG, OTHER_ORG, rejectsField, sweepFixtures } from './datasets-scoped-support.js';

const DOT = '\uFF0E';

const spec = {
  use: [{ name: 'official--k6--v1', config: { vus: '5' } }],
  config: { target: { description: 'Base URL under test', type_: 'string', default_: { value: 'https://staging.example.com' }, enum: null, sensitive: false } },
  content: { git: { uri: 'https://github.com/example/k6-tests', revision: 'main', paths: ['tests'], username: '', token: '' }, files: null },
  container: {
    image: 'grafana/k6:0.49.0',
    env: [{ name: 'TARGET', value: '{{ config.target }}' }],
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: null },
    workingdir: { value: '/data/repo/tests' },
  },
  pod: { labels: { [`app${DOT}kubernetes${DOT}io/part-of`]: 'qa' }, annotations: null, nodeselector: null },
  job: null,
  steps: [
    { name: 'run', condition: '', negative: false, optional: false, retry: { count: new Int32(2), until: 'passed' }, timeout: '30m', shell: '', run: { image: 'grafana/k6:0.49.0', shell: { value: 'k6 run test.js' }, env: null, workingdir: null }, artifacts: { workingdir: null, compress: null, paths: ['reports/**/*'] }, steps: null },
  ],
  after: null,
  events: [{ cronjob: { cron: '0 3 * * *', labels: null, annotations: null } }],
  execution: { tags: { team: 'core', [`ci${DOT}example${DOT}com/pipeline`]: 'nightly' } },
};

const SPEC = `{"use":[{"name":"official--k6--v1","config":{"vus":"5"}}],`
  + '"config":{"target":{"description":"Base URL under test","type":"string","default":{"value":"https://staging.example.com"}}},'
  + '"content":{"git":{"uri":"https://github.com/example/k6-tests","revision":"main","paths":["tests"]}},'
  + '"container":{"workingDir":{"value":"/data/repo/tests"},"image":"grafana/k6:0.49.0","env":[{"name":"TARGET","value":"{{ config.target }}"}],"resources":{"requests":{"cpu":"500m","memory":"512Mi"}}},'
  + `"pod":{"labels":{"app${DOT}kubernetes${DOT}io/part-of":"qa"}},`
  + '"steps":[{"name":"run","retry":{"count":2,"until":"passed"},"timeout":"30m","run":{"image":"grafana/k6:0.49.0","shell":{"value":"k6 run test.js"}},"artifacts":{"paths":["reports/**/*"]}}],'
  + '"events":[{"cronjob":{"cron":"0 3 * * *"}}],'
  + `"execution":{"tags":{"team":"core","ci${DOT}example${DOT}com/pipeline":"nightly"}}}`;

const clean = {
  _id: oid(1),
  name: 'k6-load',
  namespace: 'testkube',
  description: 'k6-load suite',
  labels: { team: 'core', [`testkube${DOT}io/tool`]: 'k6' },
  annotations: { owner: 'qa@example.com' },
  created: new Date('2025-01-01T00:00:00.000Z'),
  updated: new Date('2025-03-01T12:30:00.250Z'),
  spec,
  readonly: false,
  status: { health: { passrate: new Double(0.9), fliprate: new Double(0.05), overallhealth: new Double(0.81) } },
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  environment_id: ENV,
  name: 'k6-load',
  namespace: 'testkube',
  description: 'k6-load suite',
  labels: `{"team":"core","testkube${DOT}io/tool":"k6"}`,
  annotations: '{"owner":"qa@example.com"}',
  spec: SPEC,
  status: '{"health":{"passRate":0.9,"flipRate":0.05,"overallHealth":0.81}}',
  read_only: false,
  created: '2025-01-01T00:00:00.000Z',
  updated: '2025-03-01T12:30:00.250Z',
  extra: null,
};

test('a clean document maps to one row; spec and status are Go JSON as Testkube writes them', () => {
  assert.deepEqual(namedRow(ds, clean, ENV_CTX), cleanRow);
});

test('legacy documents (pre-2025) have no readonly and status: NULL, not false', () => {
  const { readonly: _r, status: _s, ...legacy } = clean;
  assert.deepEqual(namedRow(ds, legacy, ENV_CTX), { ...cleanRow, read_only: null, status: null });
});

test('null vs {} vs missing: labels/annotations/status null are JSON null, {} stays {}, "" description is NULL', () => {
  const doc = { ...clean, labels: null, annotations: {}, status: null, description: '' };
  assert.deepEqual(namedRow(ds, doc, ENV_CTX), { ...cleanRow, labels: 'null', annotations: '{}', status: 'null', description: null });
  const { labels: _l, ...noLabels } = clean;
  assert.equal(namedRow(ds, noLabels, ENV_CTX).labels, null);
});

test('numeric width in nested numbers (Long, Double) gives the same Go JSON', () => {
  const widened = { ...spec, steps: [{ ...spec.steps[0], retry: { count: Long.fromNumber(2), until: 'passed' } }] };
  assert.equal(namedRow(ds, { ...clean, spec: widened }, ENV_CTX).spec, SPEC);
  const doubled = { ...spec, steps: [{ ...spec.steps[0], retry: { count: new Double(2), until: 'passed' } }] };
  assert.equal(namedRow(ds, { ...clean, spec: doubled }, ENV_CTX).spec, SPEC);
});

test('unknown fields: top-level ones and keys Go would skip inside spec go to extra', () => {
  const doc = { ...clean, schemaversion: new Int32(2), testexecutionname: '', spec: { ...spec, legacyflag: true, steps: [{ ...spec.steps[0], oldkey: 'x' }] } };
  assert.deepEqual(namedRow(ds, doc, ENV_CTX), { ...cleanRow, extra: '{"spec":{"legacyflag":true,"steps[0].oldkey":"x"},"schemaversion":2,"testexecutionname":""}' });
});

test('the Go zero time is NULL, as Testkube\'s own repository stores it', () => {
  assert.equal(namedRow(ds, { ...clean, created: new Date('0001-01-01T00:00:00Z') }, ENV_CTX).created, null);
});

test('values Go could not decode or PostgreSQL could not hold fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, spec: { ...spec, steps: [{ ...spec.steps[0], retry: { count: new Double(2.5) } }] } }, ENV_CTX, 'spec.steps[0].retry.count');
  rejectsField(ds, { ...clean, labels: { team: new Int32(1) } }, ENV_CTX, 'labels.team');
  rejectsField(ds, { ...clean, readonly: 'false' }, ENV_CTX, 'readonly');
  rejectsField(ds, { ...clean, created: '2025-01-01T00:00:00Z' }, ENV_CTX, 'created');
  rejectsField(ds, { ...clean, name: 'x'.repeat(256) }, ENV_CTX, 'name');
  rejectsField(ds, { ...clean, name: null }, ENV_CTX, 'name');
  rejectsField(ds, { ...clean, description: 'a\u0000' }, ENV_CTX, 'description');
  rejectsField(ds, { ...clean, spec: { ...spec, container: { ...spec.container, image: 'a\u0000' } } }, ENV_CTX, 'spec.container.image');
  rejectsField(ds, { ...clean, status: { health: { passrate: Number.NaN } } }, ENV_CTX, 'status.health.passrate');
});

test('references: the collection environment', () => {
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${ORG}/${ENV}`] }), null);
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${OTHER_ORG}/${ENV}`] }), '(collection environment)');
  assert.equal(ds.collection, 'testworkflows');
  assert.equal(ds.tables[0]?.table, 'test_workflow_definitions');
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'test_workflows');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['legacy-shape', 'unknown-field', 'missing-optional', 'null-optional', 'empty-container', 'numeric-width']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
