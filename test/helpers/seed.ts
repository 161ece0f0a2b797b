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
    organizationId: `tkcorg_${(i % 3).toString().padStart(16, '0')}`,
    environmentId: i % 4 === 0 ? null : `tkcenv_${(i % 5).toString().padStart(16, '0')}`,
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

export async function seedOrganizations(db: Db, count: number): Promise<void> {
  const docs = Array.from({ length: count }, (_, i) => ({
    _id: `tkcorg_${i.toString().padStart(16, '0')}` as unknown as ObjectId,
    name: `Org ${i}`,
    slug: `org-${i}`,
    createdAt: new Date(Date.UTC(2024, 0, 1 + i)),
    updatedAt: new Date(Date.UTC(2024, 5, 1 + i)),
  }));
  if (docs.length > 0) await db.collection('organizations').insertMany(docs);
}
