/**
 * The source collections the data sets read must be there, and the summary says how much each
 * data set will read. Counts come from collection metadata (estimatedDocumentCount), which is
 * instant whatever the size; an exact count would scan the largest collections.
 */
import type { DataSet } from '../datasets/types.js';
import { sourceCollections } from '../engine/scopes.js';
import type { SourceDb } from '../source/source-db.js';
import { fail, pass, warn, type CheckResult, type SourceCount } from './result.js';

/** Pure: missing global collections. A database with none of them is the wrong database. */
export function collectionsVerdict(dataSets: readonly Pick<DataSet, 'collection' | 'scope'>[], existing: ReadonlySet<string>, database: string): CheckResult {
  const expected = [...new Set(dataSets.filter((d) => d.scope === 'global').map((d) => d.collection))].sort();
  const missing = expected.filter((c) => !existing.has(c));
  const details = { database, expected: expected.length, missing };
  if (missing.length === 0) return pass('source-collections', `all ${expected.length} source collections are present in database "${database}"`, details);
  if (missing.length === expected.length) {
    return fail('source-collections', `database "${database}" has none of the source collections (${missing.join(', ')}); check API_MONGO_DB and the DSN`, details);
  }
  // A feature never used leaves no collection behind; its data sets migrate 0 records.
  return warn('source-collections', `source collections missing in database "${database}" (their data sets will migrate 0 records): ${missing.join(', ')}`, details);
}

export async function countSources(db: SourceDb, dataSets: readonly DataSet[], existing: ReadonlySet<string>): Promise<SourceCount[]> {
  const out: SourceCount[] = [];
  for (const ds of dataSets) {
    const collections = (await sourceCollections(db, ds)).filter((c) => existing.has(c.collection));
    let documents = 0;
    for (const c of collections) documents += await db.collection(c.collection).estimatedDocumentCount();
    out.push({ dataSet: ds.name, phase: ds.phase, collections: collections.length, documents, estimated: true, filtered: ds.filter !== undefined });
  }
  return out;
}

export async function existingCollections(db: SourceDb): Promise<Set<string>> {
  return new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
}

/**
 * Documents a data set's filter (CONVERT_SINCE) leaves out, per data set with a filter: the
 * collections' size from metadata (instant, approximate) minus what the filter selects (counted).
 */
export async function excludedByFilter(db: SourceDb, dataSets: readonly DataSet[], existing: ReadonlySet<string>): Promise<Array<{ dataSet: string; excluded: number; total: number }>> {
  const out: Array<{ dataSet: string; excluded: number; total: number }> = [];
  for (const ds of dataSets) {
    if (ds.filter === undefined) continue;
    let total = 0;
    let selected = 0;
    for (const c of (await sourceCollections(db, ds)).filter((x) => existing.has(x.collection))) {
      total += await db.collection(c.collection).estimatedDocumentCount();
      selected += await db.collection(c.collection).countDocuments(ds.filter);
    }
    out.push({ dataSet: ds.name, excluded: Math.max(0, total - selected), total });
  }
  return out;
}
