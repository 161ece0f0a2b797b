/**
 * organizations.payments[] → organization_payments. Each entry is a record of its own (explode),
 * id `<organizationId>/payments/<index>`; it belongs to its organisation, which must have been
 * migrated (a hard reference).
 */
import type { Document } from 'mongodb';
import { TransformError } from '../../errors.js';
import { centsToMajorUnits, isDocument, requireIdText, rowOf } from '../../transform/record-values.js';
import { bsonTypeName, extraFields, toInteger, toNumericText, toText, toTimestamp, valueError } from '../../transform/values.js';
import { globalDataSet, organizationRef, table } from './define.js';

export const paymentColumns = ['organization_id', 'position', 'payment_id', 'amount', 'currency', 'status', 'paid_at', 'period_start', 'period_end', 'description', 'invoice_url', 'provider', 'extra'] as const;

const MAPPED = ['id', 'currency', 'status', 'paidAt', 'periodStart', 'periodEnd', 'description', 'invoiceUrl', 'provider'];

/** One exploded entry: the payment and where it sits. */
export interface PaymentRecord {
  organizationId: unknown;
  position: number;
  payment: unknown;
}

export function paymentRecordId(organizationId: unknown, position: number): string {
  return `${String(organizationId)}/payments/${position}`;
}

/** The entries of one organisation, oldest first. Not an array: none (the organisation reports it). */
export function explodePayments(doc: Document): Document[] {
  const payments: unknown = doc.payments;
  if (!Array.isArray(payments)) return [];
  return payments.map((payment: unknown, position) => ({ organizationId: doc._id, position, payment }) satisfies PaymentRecord);
}

/** `amount` exactly; legacy entries: `amountCents / 100`, exactly. Returns the key it used. */
function amountOf(payment: Document, at: string): { amount: string; key: 'amount' | 'amountCents' } {
  const amount = toNumericText(payment.amount, `${at}.amount`);
  if (amount !== null) return { amount, key: 'amount' };
  const cents = toInteger(payment.amountCents, `${at}.amountCents`, 64);
  if (cents !== null) return { amount: centsToMajorUnits(cents), key: 'amountCents' };
  throw new TransformError('is required but missing or null (and there is no legacy amountCents)', { field: `${at}.amount` });
}

export function paymentRow(record: Document) {
  const { organizationId, position, payment } = record as PaymentRecord;
  const at = `payments[${position}]`;
  if (!isDocument(payment)) throw valueError('type-mismatch', `expected a document, got ${bsonTypeName(payment)}`, at);
  const { amount, key } = amountOf(payment, at);
  // The field not used for the amount (a null `amount` next to amountCents …) stays in extra.
  const mapped = new Set([...MAPPED, key]);
  return rowOf(paymentColumns, {
    organization_id: requireIdText(organizationId, '_id'),
    position,
    payment_id: toText(payment.id, `${at}.id`),
    amount,
    currency: toText(payment.currency, `${at}.currency`),
    status: toText(payment.status, `${at}.status`),
    paid_at: toTimestamp(payment.paidAt, `${at}.paidAt`),
    period_start: toTimestamp(payment.periodStart, `${at}.periodStart`),
    period_end: toTimestamp(payment.periodEnd, `${at}.periodEnd`),
    description: toText(payment.description, `${at}.description`),
    invoice_url: toText(payment.invoiceUrl, `${at}.invoiceUrl`),
    provider: toText(payment.provider, `${at}.provider`),
    extra: extraFields(payment, mapped, `${at}.extra`),
  });
}

export const paymentsHistory = globalDataSet({
  name: 'payments_history',
  collection: 'organizations',
  tables: [table('organization_payments', paymentColumns, ['organization_id', 'position'])],
  dependsOn: ['organizations'],
  explode: explodePayments,
  recordUnit: 'an entry of organizations.payments[]',
  documentsOf: 'organizations',
  extraSource: (record) => (record as PaymentRecord).payment,
  transform: (record) => [{ table: 'organization_payments', rows: [paymentRow(record)] }],
  idOf: (record) => paymentRecordId(record.organizationId, record.position as number),
  references: (record) => [organizationRef(record)],
});

