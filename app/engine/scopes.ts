/**
 * Resolves a data set's source collections: one for global data sets, one per organisation or
 * per organisation/environment for scoped ones (only collections that exist are returned), and
 * collections of the same base named for organisations/environments that do not exist, flagged
 * as orphans.
 */
import type { Document } from 'mongodb';
import { SCOPED_COLLECTION_BASES, scopedCollectionName } from '../source/collections.js';
import type { DataSet, SourceCollection } from '../datasets/types.js';
import type { SourceDb } from '../source/source-db.js';

export async function sourceCollections(db: SourceDb, dataSet: Pick<DataSet, 'collection' | 'scope'>): Promise<SourceCollection[]> {
  if (dataSet.scope === 'global') return [{ collection: dataSet.collection }];
  const base = dataSet.collection;
  // Collections of this base: `<base>_…`, but not those of a longer base that starts the same way.
  const longer = SCOPED_COLLECTION_BASES.filter((b) => b !== base && b.startsWith(`${base}_`));
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => n.startsWith(`${base}_`) && !longer.some((b) => n.startsWith(`${b}_`)));
  const present = new Set(names);
  const out: SourceCollection[] = [];
  if (dataSet.scope === 'organization') {
    const orgs = await toArray(db.collection('organizations').find({}, { projection: { _id: 1 }, sort: { _id: 1 } }));
    for (const org of orgs) {
      const name = scopedCollectionName(base, String(org._id));
      if (present.delete(name)) out.push({ collection: name, organizationId: String(org._id) });
    }
  } else {
    const envs = await toArray(db.collection('environments').find({}, { projection: { _id: 1, organizationId: 1 }, sort: { _id: 1 } }));
    for (const env of envs) {
      const name = scopedCollectionName(base, String(env.organizationId), String(env._id));
      if (present.delete(name)) out.push({ collection: name, organizationId: String(env.organizationId), environmentId: String(env._id) });
    }
  }
  // Whatever is left is named for a tenant that no longer exists: read it anyway, so its
  // documents are reported instead of silently left behind.
  for (const name of [...present].sort()) out.push({ collection: name, orphan: true });
  return out;
}

async function toArray(cursor: AsyncIterable<Document>): Promise<Document[]> {
  const out: Document[] = [];
  for await (const doc of cursor) out.push(doc);
  return out;
}

/** For log lines: the collections read, shortened when a data set has one per scope. */
export function describeSources(sources: readonly SourceCollection[], fallback: string): string {
  if (sources.length === 0) return fallback;
  if (sources.length <= 3) return sources.map((s) => s.collection).join(',');
  return `${sources.slice(0, 2).map((s) => s.collection).join(',')},… (${sources.length} collections)`;
}
