// ai_llm_providers: literal documents (clean, every messy variant the fixtures produce, missing and
// null optional fields) → literal rows; unmappable values fail naming the field; references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal128, Long, ObjectId } from 'mongodb';
import { aiLlmProviders as ds } from '../../app/datasets/record/ai-llm-providers.js';
import { danglingField, hex, namedRow, oid, ORG, ORG_CTX, OTHER_ORG, rejectsField, sweepFixtures, USER } from './datasets-scoped-support.js';

const clean = {
  _id: oid(1),
  name: 'azure-openai',
  provider: 'azure-openai',
  baseUrl: 'https://example.openai.azure.com',
  defaultModel: 'gpt-4o',
  models: ['gpt-4o', 'gpt-4o-mini'],
  apiKeyCredentialId: hex(90),
  options: { apiVersion: '2024-10-21', deployment: 'gpt-4o-prod' },
  enabled: true,
  createdBy: USER,
  createdAt: new Date('2025-01-02T03:04:05.678Z'),
  updatedAt: new Date('2025-02-01T00:00:00.000Z'),
};

const cleanRow = {
  id: hex(1),
  organization_id: ORG,
  name: 'azure-openai',
  provider: 'azure-openai',
  base_url: 'https://example.openai.azure.com',
  default_model: 'gpt-4o',
  models: '{"gpt-4o","gpt-4o-mini"}',
  api_key_credential_id: hex(90),
  options: '{"apiVersion":"2024-10-21","deployment":"gpt-4o-prod"}',
  enabled: true,
  created_by: USER,
  created_at: '2025-01-02T03:04:05.678Z',
  updated_at: '2025-02-01T00:00:00.000Z',
  extra: null,
};

test('a clean document maps to one row, column by column', () => {
  assert.deepEqual(namedRow(ds, clean, ORG_CTX), cleanRow);
});

test('messy: booleans and dates as strings, a user reference as ObjectId, unknown fields into extra', () => {
  const doc = { ...clean, enabled: 'false', createdAt: '2025-01-02T03:04:05.678Z', updatedAt: '2025-02-01T00:00:00Z', createdBy: new ObjectId(USER), _class: 'io.testkube.cloud.model.Legacy', notes: { importedBy: 'backfill-2024-05', attempt: 2 } };
  assert.deepEqual(namedRow(ds, doc, ORG_CTX), {
    ...cleanRow,
    enabled: false,
    updated_at: '2025-02-01T00:00:00.000Z',
    extra: '{"_class":"io.testkube.cloud.model.Legacy","notes":{"importedBy":"backfill-2024-05","attempt":2}}',
  });
});

test('missing optional fields are NULL; an explicit null is NULL in typed columns and JSON null in jsonb', () => {
  const { baseUrl: _b, apiKeyCredentialId: _a, options: _o, updatedAt: _u, ...missing } = clean;
  assert.deepEqual(namedRow(ds, missing, ORG_CTX), { ...cleanRow, base_url: null, api_key_credential_id: null, options: null, updated_at: null });
  const nulls = { ...clean, baseUrl: null, apiKeyCredentialId: null, options: null, updatedAt: null };
  assert.deepEqual(namedRow(ds, nulls, ORG_CTX), { ...cleanRow, base_url: null, api_key_credential_id: null, options: 'null', updated_at: null });
});

test('values that cannot be stored faithfully fail the record, naming the field', () => {
  rejectsField(ds, { ...clean, enabled: 'yes' }, ORG_CTX, 'enabled');
  rejectsField(ds, { ...clean, models: ['gpt-4o', 4] }, ORG_CTX, 'models[1]');
  rejectsField(ds, { ...clean, name: 'a\u0000b' }, ORG_CTX, 'name');
  rejectsField(ds, { ...clean, createdAt: new Date(Date.UTC(-5000, 0, 1)) }, ORG_CTX, 'createdAt');
  rejectsField(ds, { ...clean, provider: null }, ORG_CTX, 'provider');
  rejectsField(ds, { ...clean, _id: hex(1) }, ORG_CTX, '_id');
  rejectsField(ds, { ...clean, options: { 'a\u0000b': 1 } }, ORG_CTX, 'options key');
  rejectsField(ds, { ...clean, options: { nested: ['ok', 'x\u0000'] } }, ORG_CTX, 'options.nested[1]');
  rejectsField(ds, clean, {}, '(collection)');
});

test('jsonb keeps what Relaxed Extended JSON can say: NaN, Long beyond 2^53, Decimal128, ObjectId, dates', () => {
  const options = { ratio: Number.NaN, big: Long.fromString('9223372036854775807'), price: Decimal128.fromString('0.1000000000000000000000000000000001'), ref: oid(7), at: new Date('2025-01-01T00:00:00Z') };
  assert.equal(namedRow(ds, { ...clean, options }, ORG_CTX).options,
    `{"ratio":{"$numberDouble":"NaN"},"big":{"$numberLong":"9223372036854775807"},"price":{"$numberDecimal":"0.1000000000000000000000000000000001"},"ref":{"$oid":"${hex(7)}"},"at":{"$date":"2025-01-01T00:00:00.000Z"}}`);
});

test('references: the collection organisation must have been migrated', () => {
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [ORG] }), null);
  assert.equal(danglingField(ds, clean, ORG_CTX, { organization: [OTHER_ORG] }), '(collection organisation)');
  assert.equal(ds.provides, undefined);
});

test('every document the fixtures generate maps, and the cases above cover their messiness', () => {
  const sweep = sweepFixtures(ds, 'ai_llm_providers');
  assert.ok(sweep.documents > 0);
  const covered = new Set(['bool-as-string', 'date-as-string', 'missing-optional', 'null-optional', 'unknown-field', 'user-ref-objectid']);
  assert.deepEqual([...sweep.messy].filter((k) => !covered.has(k)), []);
});
