/**
 * Digests of source documents as the bulk phase loaded them (issue 17, pre-copy): one row per
 * document of a data set whose documents change after they are written (DataSet.mutable:
 * test workflow executions finish, are re-run, get tags). Catch-up at cutover reads the source
 * again and re-migrates exactly the documents whose digest differs, with no comparison of rows.
 *
 * The digest is MD5 of the document's raw BSON bytes as read: any change to any field changes
 * it. It is written by COPY in the chunk's own transaction, so it is there exactly when the rows
 * are. A document without a digest (loaded one by one after a refused COPY, or by an older
 * version) is simply re-migrated by catch-up: a missing digest costs work, never correctness.
 */
import { createHash } from 'node:crypto';
import type { PoolClient } from '../sink/postgres.js';
import { copyLine } from './copy-text.js';

export const DIGESTS_TABLE = 'mongo2pg.record_digests';
export const DIGEST_COLUMNS = ['data_set', 'collection', 'record_id', 'target_key', 'digest'] as const;

type Queryable = Pick<PoolClient, 'query'>;

export async function ensureDigestTable(client: Queryable): Promise<void> {
  await client.query('CREATE SCHEMA IF NOT EXISTS mongo2pg');
  await client.query(`CREATE TABLE IF NOT EXISTS ${DIGESTS_TABLE} (
    data_set   text NOT NULL,
    collection text NOT NULL,
    record_id  text NOT NULL,
    target_key text NOT NULL,
    digest     text NOT NULL,
    PRIMARY KEY (data_set, collection, record_id)
  )`);
}

/** MD5 (hex) of one document's raw bytes. */
export function documentDigest(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** One COPY text line of DIGESTS_TABLE. */
export function digestLine(dataSet: string, collection: string, recordId: string, targetKey: string, digest: string): string {
  return copyLine([dataSet, collection, recordId, targetKey, digest]);
}

export interface RecordedDigest {
  targetKey: string;
  digest: string;
}

/** The digests recorded for one collection of a data set, by record id (recordIdText of `_id`). */
export async function readDigests(client: Queryable, dataSet: string, collection: string): Promise<Map<string, RecordedDigest>> {
  const { rows } = await client.query<{ record_id: string; target_key: string; digest: string }>(
    `SELECT record_id, target_key, digest FROM ${DIGESTS_TABLE} WHERE data_set = $1 AND collection = $2`,
    [dataSet, collection],
  );
  return new Map(rows.map((r) => [r.record_id, { targetKey: r.target_key, digest: r.digest }]));
}
