/** organization_domains → organization_domains. Domains are kept verbatim (lookups use lower(btrim())). */
import type { Document } from 'mongodb';
import { objectIdKey, requireIdText, rowOf } from '../../transform/record-values.js';
import { extraFields, requireText, toBool, toText, toTimestamp } from '../../transform/values.js';
import { globalDataSet, organizationRef, table } from './define.js';

const COLUMNS = ['id', 'organization_id', 'domain', 'verified', 'verification_method', 'verification_token', 'verified_at', 'auto_join', 'default_role', 'created_at', 'updated_at', 'extra'] as const;
const MAPPED = new Set(['_id', 'organizationId', 'domain', 'verified', 'verificationMethod', 'verificationToken', 'verifiedAt', 'autoJoin', 'defaultRole', 'createdAt', 'updatedAt']);

export function organizationDomainRow(doc: Document) {
  return rowOf(COLUMNS, {
    id: objectIdKey(doc._id),
    organization_id: requireIdText(doc.organizationId, 'organizationId'),
    domain: requireText(doc.domain, 'domain'),
    verified: toBool(doc.verified, 'verified'),
    verification_method: toText(doc.verificationMethod, 'verificationMethod'),
    verification_token: toText(doc.verificationToken, 'verificationToken'),
    verified_at: toTimestamp(doc.verifiedAt, 'verifiedAt'),
    auto_join: toBool(doc.autoJoin, 'autoJoin'),
    default_role: toText(doc.defaultRole, 'defaultRole'),
    created_at: toTimestamp(doc.createdAt, 'createdAt'),
    updated_at: toTimestamp(doc.updatedAt, 'updatedAt'),
    extra: extraFields(doc, MAPPED),
  });
}

export const organizationDomains = globalDataSet({
  name: 'organization_domains',
  tables: [table('organization_domains', COLUMNS)],
  dependsOn: ['organizations'],
  transform: (doc) => [{ table: 'organization_domains', rows: [organizationDomainRow(doc)] }],
  references: (doc) => [organizationRef(doc)],
});
