import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal128, Double, Int32 } from 'mongodb';
import { paymentsHistory } from '../../app/datasets/record/payments-history.js';
import { ORG, T1, T1_ISO, T2, T2_ISO, refsOf, transformErrorOn } from './datasets-support.js';

const payment = () => ({
  id: 'in_0123456789abcdef01234567',
  amount: Decimal128.fromString('1234567890123456789012345678.90'),
  currency: 'usd',
  status: 'paid',
  paidAt: T2,
  periodStart: T1,
  periodEnd: T2,
  description: 'Testkube subscription 1',
  invoiceUrl: `https://invoices.example/${ORG}/0`,
  provider: 'stripe',
});

/** The records of one organisation document, as the engine sees them. */
const records = (payments: unknown) => paymentsHistory.explode?.({ _id: ORG, name: 'Acme', payments }) ?? [];
const rowOf = (p: unknown, index = 0) => {
  const record = records([...Array(index).fill({}), p])[index];
  if (!record) throw new Error('no record');
  const out = paymentsHistory.transform(record, {});
  return out[0]?.rows[0];
};

test('each embedded payment is a record of its own with id <orgId>/payments/<index>, referencing its organisation', () => {
  const recs = records([payment(), payment()]);
  assert.equal(recs.length, 2);
  assert.deepEqual(recs.map((r) => paymentsHistory.idOf(r)), [`${ORG}/payments/0`, `${ORG}/payments/1`]);
  assert.deepEqual(refsOf(paymentsHistory, recs[1] ?? {}), [`organization:${ORG}`]);
  assert.equal(paymentsHistory.collection, 'organizations');
  assert.deepEqual(paymentsHistory.tables[0]?.conflictKey, ['organization_id', 'position']);
});

test('no payments, [] or a non-array (reported by the organisation) explode to no records', () => {
  assert.deepEqual(paymentsHistory.explode?.({ _id: ORG }), []);
  assert.deepEqual(records([]), []);
  assert.deepEqual(records(null), []);
  assert.deepEqual(records('x'), []);
});

test('a clean payment: Decimal128 amount exactly, every field to its column', () => {
  assert.deepEqual(rowOf(payment()), [
    ORG, 0, 'in_0123456789abcdef01234567', '1234567890123456789012345678.90', 'usd', 'paid', T2_ISO, T1_ISO, T2_ISO,
    'Testkube subscription 1', `https://invoices.example/${ORG}/0`, 'stripe', null,
  ]);
});

test('legacy payment: amountCents / 100 exactly, currency verbatim', () => {
  const { amount: _a, ...rest } = payment();
  assert.deepEqual(rowOf({ ...rest, amountCents: new Int32(4905), currency: 'USD' }, 3)?.slice(0, 5), [ORG, 3, 'in_0123456789abcdef01234567', '49.05', 'USD']);
  assert.equal(rowOf({ ...rest, amountCents: new Int32(7) })?.[3], '0.07');
  assert.equal(rowOf({ ...rest, amountCents: -1250 })?.[3], '-12.50');
  // A null amount next to amountCents is kept in extra, so the entry can be rebuilt as found.
  assert.equal(rowOf({ ...rest, amount: null, amountCents: new Int32(100) })?.[12], '{"amount":null}');
  assert.equal(rowOf({ ...payment(), amountCents: new Int32(100) })?.[12], '{"amountCents":100}', 'amount wins; amountCents stays in extra');
});

test('messy payment: amount as Double or string, dates as strings, optional fields null or missing', () => {
  assert.equal(rowOf({ ...payment(), amount: new Double(49.9) })?.[3], '49.9');
  assert.equal(rowOf({ ...payment(), amount: '49.90' })?.[3], '49.90');
  const messy = { ...payment(), id: null, description: undefined, invoiceUrl: null, paidAt: null, periodStart: T1_ISO, periodEnd: T2_ISO, _class: 'x' };
  assert.deepEqual(rowOf(messy), [ORG, 0, null, '1234567890123456789012345678.90', 'usd', 'paid', null, T1_ISO, T2_ISO, null, null, 'stripe', '{"_class":"x"}']);
});

test('unmappable amounts and entries fail naming the field', () => {
  const { amount: _a, ...rest } = payment();
  assert.throws(() => rowOf(rest), transformErrorOn('payments[0].amount', /required/));
  assert.throws(() => rowOf({ ...rest, amountCents: new Double(49.5) }), transformErrorOn('payments[0].amountCents', /whole number/));
  assert.throws(() => rowOf({ ...payment(), amount: 'forty' }), transformErrorOn('payments[0].amount'));
  assert.throws(() => rowOf({ ...payment(), amount: Decimal128.fromString('NaN') }), transformErrorOn('payments[0].amount', /NaN/));
  assert.throws(() => rowOf({ ...payment(), paidAt: 'yesterday' }, 2), transformErrorOn('payments[2].paidAt'));
  assert.throws(() => rowOf('in_1'), transformErrorOn('payments[0]', /expected a document/));
});
