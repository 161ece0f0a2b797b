/** Small hand-made source data sets written through the real driver. */
import { MongoClient, ObjectId, type Db, type Document } from 'mongodb';

export async function withMongo<T>(url: string, dbName: string, work: (db: Db) => Promise<T>): Promise<T> {
  const client = new MongoClient(url);
  await client.connect();
  try {
    return await work(client.db(dbName));
  } finally {
    await client.close();
  }
}

/** Usage document i: ids ascend with i, so ranges and watermarks are easy to reason about. */
export function usageDoc(i: number): Document {
  const id = Buffer.alloc(12);
  id.writeUInt32BE(0x66000000, 0);
  id.writeUInt32BE(i, 8);
  return {
    _id: new ObjectId(id),
    organizationId: orgId(i % 3),
    environmentId: i % 4 === 0 ? null : envId(i % 3, i % 2),
    metric: i % 2 === 0 ? 'execution_minutes' : 'storage_bytes',
    value: i % 7 === 0 ? String(i * 3) : i + 0.25,
    timestamp: new Date(Date.UTC(2025, 0, 1) + i * 60_000),
    labels: { runner: `r${i % 4}` },
  };
}

export async function seedUsage(db: Db, count: number, start = 0): Promise<void> {
  for (let from = start; from < start + count; from += 1000) {
    const docs = [];
    for (let i = from; i < Math.min(start + count, from + 1000); i++) docs.push(usageDoc(i));
    await db.collection('usage').insertMany(docs);
  }
}

export const orgId = (i: number): string => `tkcorg_${i.toString().padStart(16, '0')}`;
/** Environment k of organisation i (two per organisation). */
export const envId = (i: number, k: number): string => `tkcenv_${(i * 2 + k).toString().padStart(16, '0')}`;

/** Organisations 0..count-1, each with two environments. */
export async function seedOrganizations(db: Db, count: number): Promise<void> {
  const docs = Array.from({ length: count }, (_, i) => ({
    _id: orgId(i) as unknown as ObjectId,
    name: `Org ${i}`,
    slug: `org-${i}`,
    createdAt: new Date(Date.UTC(2024, 0, 1 + i)),
    updatedAt: new Date(Date.UTC(2024, 5, 1 + i)),
  }));
  if (docs.length === 0) return;
  await db.collection('organizations').insertMany(docs);
  const envs = Array.from({ length: count * 2 }, (_, j) => ({
    _id: envId(Math.floor(j / 2), j % 2) as unknown as ObjectId,
    organizationId: orgId(Math.floor(j / 2)),
    name: j % 2 === 0 ? 'production' : 'staging',
    createdAt: new Date(Date.UTC(2024, 1, 1 + j)),
  }));
  await db.collection('environments').insertMany(envs);
}
