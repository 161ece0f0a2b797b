// ai_sessions: literal documents → literal rows; usage split into exact token counts and cost,
// its other keys in extra under "usage"; provides organisation-qualified session keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import { aiSessions as ds } from '../../app/datasets/record/ai-sessions.js';
import { danglingField, ENV, hex, namedRow, oid, ORG, ORG_CTX, rejectsField, sweepFixtures, USER } from './datasets-scoped-support.js';

const clean = {
  _id: oid(1),
  assistantId: hex(10),
  userId: USER,
  environmentId: ENV,
  title: 'Session 1',
  status: 'completed',
  trigger: { type: 'user' },
  messages: [
    { role: 'user', content: 'Why did k6-load fail?', createdAt: new Date('2025-05-01T10:00:00.000Z') },
    { role: 'assistant', content: 'The target returned HTTP 503.', createdAt: new Date('2025-05-01T10:00:20.000Z') },
  ],
  usage: { inputTokens: Long.fromNumber(1200), outputTokens: Long.fromNumber(340), costUsd: Decimal128.fromString('0.008700') },
  startedAt: new Date('2025-05-01T10:00:00.000Z'),
  lastActivityAt: new Date('2025-05-01T10:00:20.000Z'),
  endedAt: new Date('2025-05-01T10:30:00.000Z'),
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  assistant_id: hex(10),
  user_id: USER,
  environment_id: ENV,
  title: 'Session 1',
  status: 'completed',
  trigger: '{"type":"user"}',
  messages: '[{"role":"user","content":"Why did k6-load fail?","createdAt":{"$date":"2025-05-01T10:00:00.000Z"}},{"role":"assistant","content":"The target returned HTTP 503.","createdAt":{"$date":"2025-05-01T10:00:20.000Z"}}]',
  input_tokens: '1200',
  output_tokens: '340',
  cost_usd: '0.008700',
  started_at: '2025-05-01T10:00:00.000Z',
  last_activity_at: '2025-05-01T10:00:20.000Z',
  ended_at: '2025-05-01T10:30:00.000Z',
  extra: null,
};

test('a clean document maps to one row; the cost stays exact', () => {
  assert.deepEqual(namedRow(ds, clean, ORG_CTX), cleanRow);
  const big = { ...clean, usage: { ...clean.usage, inputTokens: Long.fromString('9223372036854775807'), costUsd: Decimal128.fromString('1234567890123456789012345678.901234') } };
  const row = namedRow(ds, big, ORG_CTX);
  assert.deepEqual([row.input_tokens, row.cost_usd], ['9223372036854775807', '1234567890123456789012345678.901234']);
});

test('messy usage: tokens as Int32, Double or string; cost as Double or string (FerretDB stores it as a string)', () => {
  const usage = { inputTokens: new Int32(1200), outputTokens: '340', costUsd: '0.008700' };
  assert.deepEqual(namedRow(ds, { ...clean, usage }, ORG_CTX), cleanRow);
  const widths = { inputTokens: new Double(1200), outputTokens: new Double(340), costUsd: new Double(0.0087) };
  assert.deepEqual(namedRow(ds, { ...clean, usage: widths }, ORG_CTX), { ...cleanRow, cost_usd: '0.0087' });
});

test('messy: message dates as strings stay strings in jsonb; ObjectId user; unknown field', () => {
  const messages = [{ role: 'user', content: 'hi', createdAt: '2025-05-01T10:00:00.000Z' }];
  const row = namedRow(ds, { ...clean, messages, userId: new ObjectId(USER), startedAt: '2025-05-01T10:00:00Z', notes: { importedBy: 'backfill-2024-05', attempt: new Int32(1) } }, ORG_CTX);
  assert.deepEqual(row, { ...cleanRow, messages: '[{"role":"user","content":"hi","createdAt":"2025-05-01T10:00:00.000Z"}]', extra: '{"notes":{"importedBy":"backfill-2024-05","attempt":1}}' });
});

test('other usage keys go to extra under "usage"; usage null stays in extra as null', () => {
  const usage = { ...clean.usage, cachedTokens: new Int32(50) };
  assert.equal(namedRow(ds, { ...clean, usage }, ORG_CTX).extra, '{"usage":{"cachedTokens":50}}');
  assert.deepEqual(namedRow(ds, { ...clean, usage: null }, ORG_CTX), { ...cleanRow, input_tokens: null, output_tokens: null, cost_usd: null, extra: '{"usage":null}' });
  const { usage: _u, ...noUsage } = clean;
  assert.deepEqual(namedRow(ds, noUsage, ORG_CTX), { ...cleanRow, input_tokens: null, output_tokens: null, cost_usd: null });
});

test('a trigger-started session: userId null or missing, no endedAt while active', () => {
  const { endedAt: _e, title: _t, ...active } = { ...clean, userId: null, status: 'active', trigger: { type: 'agent-trigger', triggerId: hex(40) } };
  const expected = { ...cleanRow, user_id: null, status: 'active', title: null, ended_at: null, trigger: `{"type":"agent-trigger","triggerId":"${hex(40)}"}` };
  assert.deepEqual(namedRow(ds, active, ORG_CTX), expected);
  const { userId: _u, ...noUser } = active;
  assert.deepEqual(namedRow(ds, noUser, ORG_CTX), expected);
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, usage: { ...clean.usage, inputTokens: '12k' } }, ORG_CTX, 'usage.inputTokens');
  rejectsField(ds, { ...clean, usage: { ...clean.usage, costUsd: Decimal128.fromString('NaN') } }, ORG_CTX, 'usage.costUsd');
  rejectsField(ds, { ...clean, usage: { ...clean.usage, outputTokens: new Double(3.5) } }, ORG_CTX, 'usage.outputTokens');
  rejectsField(ds, { ...clean, usage: 'n/a' }, ORG_CTX, 'usage');
  rejectsField(ds, { ...clean, messages: [{ content: 'a\u0000' }] }, ORG_CTX, 'messages[0].content');
});

test('provides ai_session keys qualified by organisation; references organisation and environment', () => {
  assert.equal(ds.provides?.kind, 'ai_session');
  assert.equal(ds.provides?.key(clean, ORG_CTX), `${ORG}/${hex(1)}`);
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG], environment: [`${ORG}/${ENV}`] }), null);
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG], environment: [] }), 'environmentId');
  assert.equal(danglingField(ds, { ...clean, userId: hex(77) }, ORG_CTX, { organization: [ORG], environment: [`${ORG}/${ENV}`], user: [] }), null, 'users are soft references');
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'ai_sessions');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['date-as-string', 'missing-optional', 'null-optional', 'number-as-string', 'numeric-width', 'unknown-field', 'user-ref-objectid']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
