// Timestamp text is parsed strictly and never by the process's time zone (issue 13, D7/D8).
// Expected instants are written out by hand from the rule in docs/data-model.md ("Timestamp
// strings"): no zone means UTC, impossible calendar dates are refused with a reason code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseTimestampText } from '../../app/transform/dates.js';
import { toTimestamp } from '../../app/transform/values.js';
import { TransformError } from '../../app/errors.js';

test('impossible calendar dates are refused with a reason code, never rolled over', () => {
  for (const text of ['2025-02-30T00:00:00Z', '2025-02-29T12:00:00Z', '2025-04-31', '2025-13-01', '2025-00-10', '2025-01-00', '1900-02-29', '2025-06-15T24:00:00Z', '2025-06-15T12:60:00Z', '2025-06-15T12:00:60Z']) {
    const r = parseTimestampText(text);
    assert.equal(r.ok, false, text);
    assert.equal(!r.ok && r.reason, 'invalid_calendar_date', text);
    assert.throws(() => toTimestamp(text, 'createdAt'), (err: unknown) => err instanceof TransformError && err.field === 'createdAt' && err.message.includes('invalid_calendar_date') && err.context.reason === 'invalid_calendar_date', text);
  }
});

test('leap days that exist are accepted', () => {
  assert.equal(toTimestamp('2024-02-29T12:00:00Z', 't'), '2024-02-29T12:00:00.000Z');
  assert.equal(toTimestamp('2000-02-29', 't'), '2000-02-29T00:00:00.000Z');
});

test('a text without a zone is UTC; offsets are applied; the result is canonical UTC text', () => {
  assert.equal(toTimestamp('2025-02-03T04:05:06', 't'), '2025-02-03T04:05:06.000Z');
  assert.equal(toTimestamp('2025-02-03 04:05', 't'), '2025-02-03T04:05:00.000Z');
  assert.equal(toTimestamp('2025-02-03', 't'), '2025-02-03T00:00:00.000Z');
  assert.equal(toTimestamp('2025-02-03T04:05:06.7Z', 't'), '2025-02-03T04:05:06.700Z');
  assert.equal(toTimestamp('2025-02-03T04:05:06+05:30', 't'), '2025-02-02T22:35:06.000Z');
  assert.equal(toTimestamp('2025-02-03T04:05:06-0100', 't'), '2025-02-03T05:05:06.000Z');
  assert.equal(toTimestamp('2025-02-03T04:05:06.123000Z', 't'), '2025-02-03T04:05:06.123Z');
  assert.equal(toTimestamp('0050-01-01T00:00:00Z', 't'), '0050-01-01T00:00:00.000Z');
  assert.deepEqual(parseTimestampText('2025-02-03T04:05:06'), { ok: true, ms: Date.UTC(2025, 1, 3, 4, 5, 6), zone: 'utc-assumed' });
});

test('other malformed text is refused with its own reason', () => {
  const reason = (t: string): string | undefined => {
    const r = parseTimestampText(t);
    return r.ok ? undefined : r.reason;
  };
  assert.equal(reason('2025-02-03T04:05:06.1234Z'), 'sub_millisecond_precision');
  assert.equal(reason('2025-02-03T04:05:06+24:00'), 'invalid_zone_offset');
  assert.equal(reason('2025-02-03T04:05:06+05:61'), 'invalid_zone_offset');
  assert.equal(reason('03/02/2025'), 'not_iso8601');
  assert.equal(reason('2025-2-3'), 'not_iso8601');
  assert.equal(reason('2025-02-03T4:05'), 'not_iso8601');
  assert.equal(reason(''), 'not_iso8601');
});

test('the same texts give the same instants under TZ=UTC and TZ=Asia/Kolkata (child processes)', () => {
  const module = fileURLToPath(new URL('../../app/transform/values.ts', import.meta.url));
  const texts = ['2025-02-03T04:05:06', '2025-02-03', '2025-02-03 23:59:59.999', '2025-02-30T00:00:00Z', '2025-02-03T04:05:06+05:30'];
  const script = `
    const { toTimestamp } = await import(${JSON.stringify(module)});
    const out = ${JSON.stringify(texts)}.map((t) => { try { return toTimestamp(t, 'f'); } catch (e) { return 'error: ' + e.message; } });
    process.stdout.write(JSON.stringify({ offset: new Date(2025, 1, 3).getTimezoneOffset(), out }));`;
  const run = (tz: string): { offset: number; out: string[] } => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' })) as { offset: number; out: string[] };
  const utc = run('UTC');
  const kolkata = run('Asia/Kolkata');
  // The two children really ran in different zones.
  assert.equal(utc.offset, 0);
  assert.equal(kolkata.offset, -330);
  assert.deepEqual(kolkata.out, utc.out);
  assert.deepEqual(utc.out.slice(0, 3), ['2025-02-03T04:05:06.000Z', '2025-02-03T00:00:00.000Z', '2025-02-03T23:59:59.999Z']);
  assert.match(utc.out[3] as string, /^error: f: invalid_calendar_date/);
  assert.equal(utc.out[4], '2025-02-02T22:35:06.000Z');
});
