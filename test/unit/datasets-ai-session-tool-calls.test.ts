// ai_session_tool_calls: literal documents → literal rows; result as document, string or null;
// the session reference resolves within the collection's organisation only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long, ObjectId } from 'mongodb';
import { aiSessionToolCalls as ds } from '../../app/datasets/record/ai-session-tool-calls.js';
import { danglingField, ENV, hex, namedRow, oid, ORG, ORG_CTX, OTHER_ORG, rejectsField, sweepFixtures, USER } from './datasets-scoped-support.js';

const clean = {
  _id: oid(1),
  sessionId: hex(50),
  messageIndex: new Int32(1),
  mcpServerId: hex(30),
  toolName: 'list_executions',
  arguments: { environmentId: ENV, name: 'api-smoke', limit: new Int32(10) },
  result: { items: [{ id: hex(60), status: 'failed' }], total: new Int32(1) },
  status: 'succeeded',
  approvedBy: USER,
  durationMs: Long.fromNumber(420),
  startedAt: new Date('2025-05-01T10:00:01.000Z'),
  finishedAt: new Date('2025-05-01T10:00:01.420Z'),
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  session_id: hex(50),
  message_index: 1,
  mcp_server_id: hex(30),
  tool_name: 'list_executions',
  arguments: `{"environmentId":"${ENV}","name":"api-smoke","limit":10}`,
  result: `{"items":[{"id":"${hex(60)}","status":"failed"}],"total":1}`,
  status: 'succeeded',
  error: null,
  approved_by: USER,
  duration_ms: '420',
  started_at: '2025-05-01T10:00:01.000Z',
  finished_at: '2025-05-01T10:00:01.420Z',
  extra: null,
};

test('a clean document maps to one row', () => {
  assert.deepEqual(namedRow(ds, clean, ORG_CTX), cleanRow);
});

test('result: a string becomes a JSON string, null stays JSON null', () => {
  assert.equal(namedRow(ds, { ...clean, result: 'OK' }, ORG_CTX).result, '"OK"');
  assert.equal(namedRow(ds, { ...clean, result: null }, ORG_CTX).result, 'null');
});

test('messy: durationMs as Int32, Double or string; messageIndex and arguments.limit as strings; dates as strings; ObjectId user; unknown field', () => {
  for (const durationMs of [new Int32(420), new Double(420), '420']) {
    assert.deepEqual(namedRow(ds, { ...clean, durationMs }, ORG_CTX), cleanRow);
  }
  const doc = { ...clean, messageIndex: '1', arguments: { ...clean.arguments, limit: '10' }, startedAt: '2025-05-01T10:00:01Z', approvedBy: new ObjectId(USER), migratedFrom: 'v1' };
  assert.deepEqual(namedRow(ds, doc, ORG_CTX), { ...cleanRow, arguments: `{"environmentId":"${ENV}","name":"api-smoke","limit":"10"}`, extra: '{"migratedFrom":"v1"}' });
});

test('pending approval: no duration, finishedAt null or missing, no approver', () => {
  const { durationMs: _d, approvedBy: _a, ...pending } = { ...clean, status: 'pending-approval', result: null, finishedAt: null };
  const expected = { ...cleanRow, status: 'pending-approval', result: 'null', duration_ms: null, approved_by: null, finished_at: null };
  assert.deepEqual(namedRow(ds, pending, ORG_CTX), expected);
  const { finishedAt: _f, messageIndex: _m, ...missing } = pending;
  assert.deepEqual(namedRow(ds, missing, ORG_CTX), { ...expected, message_index: null });
  assert.equal(namedRow(ds, { ...clean, status: 'failed', error: 'upstream returned 502' }, ORG_CTX).error, 'upstream returned 502');
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, durationMs: '420ms' }, ORG_CTX, 'durationMs');
  rejectsField(ds, { ...clean, messageIndex: new Double(1.5) }, ORG_CTX, 'messageIndex');
  rejectsField(ds, { ...clean, toolName: null }, ORG_CTX, 'toolName');
  rejectsField(ds, { ...clean, sessionId: undefined }, ORG_CTX, 'sessionId');
  rejectsField(ds, { ...clean, result: { text: 'a\u0000' } }, ORG_CTX, 'result.text');
});

test('references: the session must be one of this organisation\'s migrated sessions; the MCP server is soft', () => {
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG], ai_session: [`${ORG}/${hex(50)}`], ai_mcp_server: [] }), null);
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG], ai_session: [`${OTHER_ORG}/${hex(50)}`] }), 'sessionId');
  assert.deepEqual(ds.dependsOn, ['ai_sessions']);
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'ai_session_tool_calls');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['date-as-string', 'missing-optional', 'null-optional', 'number-as-string', 'numeric-width', 'unknown-field', 'user-ref-objectid']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
