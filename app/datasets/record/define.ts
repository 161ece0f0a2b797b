/**
 * Shared shape of the global record-level data sets: one collection each (named like the data
 * set unless stated), one document → rows of one or more tables, and the integrity references
 * most of them make to organisations and environments.
 */
import { recordIdText } from '../../source/record-id.js';
import type { Document } from 'mongodb';
import { environmentKey, type Reference } from '../../engine/integrity.js';
import type { DataSet, TableSpec, TransformContext, TransformOutput } from '../types.js';

export interface GlobalDataSetSpec {
  name: string;
  /** Defaults to the data set's name. */
  collection?: string;
  tables: readonly TableSpec[];
  dependsOn: readonly string[];
  transform(doc: Document, ctx: TransformContext): TransformOutput;
  idOf?(doc: Document): string;
  explode?(doc: Document): Document[];
  recordUnit?: string;
  documentsOf?: string;
  extraSource?(record: Document): unknown;
  provides?: DataSet['provides'];
  references?(doc: Document, ctx: TransformContext): Reference[];
}

export function globalDataSet(spec: GlobalDataSetSpec): DataSet {
  return {
    phase: 'record',
    scope: 'global',
    collection: spec.name,
    idOf: (doc) => recordIdText(doc._id),
    ...spec,
  };
}

export function table<C extends string>(name: string, columns: readonly C[], conflictKey: readonly C[] = ['id' as C]): TableSpec {
  return { table: name, columns, conflictKey };
}

/** The hard reference to the record's organisation (`organizationId`). */
export function organizationRef(doc: Document, field = 'organizationId'): Reference {
  const id: unknown = doc[field];
  return { kind: 'organization', id: typeof id === 'string' ? id : null, field };
}

/** The hard reference to the record's environment, when it names one (NULL = organisation-wide). */
export function environmentRef(doc: Document): Reference {
  const org: unknown = doc.organizationId;
  const env: unknown = doc.environmentId;
  return { kind: 'environment', id: typeof org === 'string' && typeof env === 'string' ? environmentKey(org, env) : null, field: 'environmentId' };
}

/** Organisation and (optional) environment: the references of every environment-scoped record. */
export function scopeRefs(doc: Document): Reference[] {
  return [organizationRef(doc), environmentRef(doc)];
}
