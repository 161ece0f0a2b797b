// agent_configs: a control-plane type; config is Relaxed Extended JSON copied as written (messy
// values inside it included); revision widened to bigint; the collection's environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long, ObjectId } from 'mongodb';
import { agentConfigs as ds } from '../../app/datasets/record/env-agent-configs.js';
import { danglingField, ENV, ENV_CTX, hex, namedRow, oid, ORG, ORG_CTX, OTHER_ORG, rejectsField, sweepFixtures, USER } from './datasets-scoped-support.js';

const AGENT = 'tkcagent_00000000000000c3';

const clean = {
  _id: oid(1),
  agentId: AGENT,
  name: 'prod-config-0',
  revision: new Int32(7),
  config: {
    runner: { namespace: 'testkube', serviceAccount: 'testkube-api-server-tests-job', defaultExecutionNamespace: 'tk-prod' },
    execution: { defaultTimeout: '1h', maxParallel: new Int32(10) },
    features: { webhooks: true, cronjobs: true, testTriggers: false },
  },
  createdAt: new Date('2025-01-01T00:00:00.000Z'),
  updatedAt: new Date('2025-02-01T00:00:00.000Z'),
  updatedBy: USER,
};

const CONFIG = '{"runner":{"namespace":"testkube","serviceAccount":"testkube-api-server-tests-job","defaultExecutionNamespace":"tk-prod"},"execution":{"defaultTimeout":"1h","maxParallel":10},"features":{"webhooks":true,"cronjobs":true,"testTriggers":false}}';

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  environment_id: ENV,
  agent_id: AGENT,
  name: 'prod-config-0',
  revision: '7',
  config: CONFIG,
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-02-01T00:00:00.000Z',
  updated_by: USER,
  extra: null,
};

test('a clean document maps to one row', () => {
  assert.deepEqual(namedRow(ds, clean, ENV_CTX), cleanRow);
});

test('messy: revision as string, Long or Double; config values kept as written; dates as strings; ObjectId user; unknown field', () => {
  for (const revision of ['7', Long.fromNumber(7), new Double(7)]) assert.deepEqual(namedRow(ds, { ...clean, revision }, ENV_CTX), cleanRow);
  const config = { ...clean.config, execution: { defaultTimeout: '1h', maxParallel: '10' }, features: { webhooks: 'true', cronjobs: true, testTriggers: false } };
  const doc = { ...clean, config, createdAt: '2025-01-01T00:00:00Z', updatedBy: new ObjectId(USER), tmpFlag: true };
  assert.deepEqual(namedRow(ds, doc, ENV_CTX), {
    ...cleanRow,
    config: '{"runner":{"namespace":"testkube","serviceAccount":"testkube-api-server-tests-job","defaultExecutionNamespace":"tk-prod"},"execution":{"defaultTimeout":"1h","maxParallel":"10"},"features":{"webhooks":"true","cronjobs":true,"testTriggers":false}}',
    extra: '{"tmpFlag":true}',
  });
});

test('missing vs null optional fields; agentId null', () => {
  const { name: _n, updatedAt: _u, updatedBy: _b, ...missing } = clean;
  const empty = { ...cleanRow, name: null, updated_at: null, updated_by: null };
  assert.deepEqual(namedRow(ds, missing, ENV_CTX), empty);
  assert.deepEqual(namedRow(ds, { ...clean, name: null, updatedAt: null, updatedBy: null }, ENV_CTX), empty);
  assert.equal(namedRow(ds, { ...clean, agentId: null }, ENV_CTX).agent_id, null);
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, revision: 'v7' }, ENV_CTX, 'revision');
  rejectsField(ds, { ...clean, revision: new Double(7.5) }, ENV_CTX, 'revision');
  rejectsField(ds, { ...clean, config: { runner: { jobTemplate: 'a\u0000' } } }, ENV_CTX, 'config.runner.jobTemplate');
  rejectsField(ds, { ...clean, _id: 'config-1' }, ENV_CTX, '_id');
  rejectsField(ds, clean, ORG_CTX, '(collection)');
});

test('references: the collection environment; the agent is soft', () => {
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${ORG}/${ENV}`], agent: [] }), null);
  assert.equal(danglingField(ds, clean, ENV_CTX, { environment: [`${OTHER_ORG}/${ENV}`] }), '(collection environment)');
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'agent_configs');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['bool-as-string', 'date-as-string', 'missing-optional', 'null-optional', 'number-as-string', 'numeric-width', 'unknown-field', 'user-ref-objectid']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
