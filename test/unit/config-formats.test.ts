import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, parseBool, parseDate, parseDuration, parseInteger, parseMongoDsn, parseUrl } from '../../app/config/formats.js';

test('durations: the Go forms the original utility takes, in milliseconds', () => {
  const cases: Array<[string, number]> = [['5s', 5000], ['1s', 1000], ['500ms', 500], ['1m30s', 90_000], ['1.5h', 5_400_000], ['0', 0], ['2h45m', 9_900_000], ['1500us', 2], [' 5s ', 5000]];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('durations: no unit, negative, spaces inside or unknown units are refused', () => {
  for (const text of ['5', '-1s', '5 s', '5sec', '1d', '', 's', '1m 30s', '0x10s']) {
    assert.throws(() => parseDuration(text), (err: unknown) => err instanceof FormatError && /duration such as 500ms, 5s/.test(err.message), text);
  }
});

test('integers: whole numbers at or above the minimum only', () => {
  assert.equal(parseInteger('1000', 1), 1000);
  assert.equal(parseInteger('0', 0), 0);
  for (const text of ['12abc', '1.5', '1e3', '0x10', '', '0', '-3', '99999999999999999999']) {
    assert.throws(() => parseInteger(text, 1), /must be a whole number of at least 1/, text);
  }
});

test("booleans: exactly Go's strconv.ParseBool spellings", () => {
  for (const t of ['true', 'TRUE', 'True', 't', 'T', '1']) assert.equal(parseBool(t), true, t);
  for (const f of ['false', 'FALSE', 'False', 'f', 'F', '0']) assert.equal(parseBool(f), false, f);
  for (const bad of ['yes', 'no', 'on', 'tRUE', '2', '']) assert.throws(() => parseBool(bad), /must be true or false/, bad);
});

test('dates: YYYY-MM-DD, real calendar days, midnight UTC', () => {
  assert.equal(parseDate('2026-01-01').toISOString(), '2026-01-01T00:00:00.000Z');
  assert.equal(parseDate('2024-02-29').toISOString(), '2024-02-29T00:00:00.000Z');
  for (const bad of ['2023-02-29', '2026-13-01', '2026-1-1', '01/02/2026', '2026-01-01T00:00:00Z', '']) {
    assert.throws(() => parseDate(bad), /YYYY-MM-DD/, bad);
  }
});

test('PostgreSQL URLs: postgres:// or postgresql://, socket form included', () => {
  for (const ok of ['postgres://u:p@h:5432/db?sslmode=disable', 'postgresql://h/db', 'postgres:///db?host=/var/run/postgresql']) {
    assert.equal(parseUrl(ok, ['postgres:', 'postgresql:']), ok);
  }
  for (const bad of ['mysql://h/db', 'host=h dbname=db', 'h:5432']) {
    assert.throws(() => parseUrl(bad, ['postgres:', 'postgresql:']), /must be a URL starting with postgres:\/\/ or postgresql:\/\//, bad);
  }
});

test("MongoDB DSNs: the driver's own parser (seed lists, +srv, options)", () => {
  for (const ok of ['mongodb://u:p@a:27017,b:27017,c:27017/?replicaSet=rs0&authSource=admin', 'mongodb+srv://u:p@cluster0.example.net/', 'mongodb://127.0.0.1:27017']) {
    assert.equal(parseMongoDsn(ok), ok);
  }
  for (const bad of ['http://h', 'mongodb://h/?noSuchOption=1', 'mongodb://h:port/', 'mongodb://h/?readPreference=sometimes']) {
    assert.throws(() => parseMongoDsn(bad), /must be a MongoDB connection string/, bad);
  }
});
