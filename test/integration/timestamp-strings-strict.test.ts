// Issue 13, D7/D8: timestamps written as text. Impossible calendar dates (2025-02-30, 2025-02-29
// in a non-leap year, 2025-04-31) are reported with the reason code `invalid_calendar_date`,
// never stored rolled over into the next month; a text without a zone is UTC
// (docs/data-model.md), so the run stores the same instants under TZ=UTC and TZ=Asia/Kolkata.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { baseEnv, runCli, taskStatistics } from '../helpers/cli.js';
import { workDir } from '../helpers/faults.js';
import { FIXTURE_MASTER_PASSWORD, generateSmallWorld } from './preflight-support.js';

/** createdAt as written → the instant the rule gives, or null: refused as an impossible date. */
const CASES: Array<[string, string | null]> = [
  ['2025-02-03T04:05:06', '2025-02-03T04:05:06.000Z'],
  ['2025-02-03 23:30:00', '2025-02-03T23:30:00.000Z'],
  ['2025-02-03', '2025-02-03T00:00:00.000Z'],
  ['2025-02-03T04:05:06+05:30', '2025-02-02T22:35:06.000Z'],
  ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
  ['2025-02-30T00:00:00Z', null],
  ['2025-02-29T12:00:00Z', null],
  ['2025-04-31', null],
];

let source: TestDatabases;
const ids = CASES.map(() => new ObjectId());

before(async () => {
  source = await createTestDatabases('timestamp-strings-source');
  const client = await MongoClient.connect(source.mongoUrl);
  try {
    const db = client.db(source.mongoDb);
    await generateSmallWorld(db);
    // Events like the generated ones (same organisation and environment), with createdAt as text.
    const model = await db.collection('events').findOne({});
    assert.ok(model, 'the fixtures hold events');
    await db.collection('events').insertMany(CASES.map(([text], i) => ({ ...model, _id: ids[i], createdAt: text })));
  } finally {
    await client.close();
  }
});
after(async () => {
  await source?.cleanup();
});

async function migrateUnder(tz: string): Promise<{ rows: Map<string, string>; report: string; code: number | null; failed: number | undefined }> {
  const target = await createTestDatabases(`timestamp-strings-${tz}`);
  const dir = workDir();
  try {
    const r = await runCli(['migrate'], { ...baseEnv(target, dir), API_MONGO_DB: source.mongoDb, CREDENTIALS_MASTER_PASSWORD: FIXTURE_MASTER_PASSWORD, TZ: tz });
    const client = new pg.Client({ connectionString: target.pgUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; at: string }>(
        `SELECT mongo_id::text AS id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM events WHERE mongo_id = ANY($1::text[])`,
        [ids.map((id) => id.toHexString())],
      );
      let report = '';
      try {
        report = readFileSync(join(dir, 'events_migration_errors.log'), 'utf8');
      } catch {
        // no report: every event migrated
      }
      return { rows: new Map(rows.map((row) => [row.id, row.at])), report, code: r.code, failed: taskStatistics(r.stdout, 'events')?.failed };
    } finally {
      await client.end();
    }
  } finally {
    await target.cleanup();
  }
}

test('text timestamps: impossible dates reported, zone-less text is UTC, the same under TZ=UTC and TZ=Asia/Kolkata', async () => {
  const utc = await migrateUnder('UTC');
  const kolkata = await migrateUnder('Asia/Kolkata');
  for (const run of [utc, kolkata]) {
    // The refused records fail the run (exit 4), each reported with its id and reason.
    assert.equal(run.code, 4);
    assert.equal(run.failed, CASES.filter(([, at]) => at === null).length);
    CASES.forEach(([text, expected], i) => {
      const id = (ids[i] as ObjectId).toHexString();
      if (expected === null) {
        assert.equal(run.rows.has(id), false, `${text} is not stored`);
        const line = run.report.split('\n').find((l) => l.includes(id));
        assert.ok(line, `${text} is reported`);
        assert.match(line, /invalid_calendar_date/);
      } else {
        assert.equal(run.rows.get(id), expected, text);
      }
    });
  }
  assert.deepEqual([...kolkata.rows].sort(), [...utc.rows].sort());
});
