import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { displayLines, LiveDisplay, liveDisplayWanted } from '../../app/progress/live-display.js';
import { RunState } from '../../app/progress/run-state.js';

test('the live display is shown on a terminal with the text log only, never in JSON mode', () => {
  assert.equal(liveDisplayWanted({ isTTY: true, logFormat: 'auto', command: 'migrate' }), true);
  assert.equal(liveDisplayWanted({ isTTY: true, logFormat: 'text', command: 'verify' }), true);
  assert.equal(liveDisplayWanted({ isTTY: true, logFormat: 'json', command: 'migrate' }), false);
  assert.equal(liveDisplayWanted({ isTTY: false, logFormat: 'text', command: 'migrate' }), false);
  assert.equal(liveDisplayWanted({ isTTY: undefined, logFormat: 'auto', command: 'migrate' }), false);
  assert.equal(liveDisplayWanted({ isTTY: true, logFormat: 'text', command: 'preflight' }), false);
});

test('display lines: the phase total and the data sets moving now, then the data set being verified', () => {
  const t0 = 1_700_000_000_000;
  const state = new RunState(t0);
  state.plan(['organizations', 'usage_records', 'events']);
  state.setPhase('bulk', t0);
  state.start('usage_records', 'bulk', 1000, t0);
  state.start('events', 'bulk', 10, t0);
  state.progress('usage_records', { successful: 240, failed: 1, skipped: 0, inChunk: 9 }, t0 + 1000);
  const lines = displayLines(state, t0 + 1000);
  assert.deepEqual([...lines.keys()], ['#all', 'usage_records'], 'a bulk data set waiting for a worker has no bar yet');
  const usage = lines.get('usage_records');
  assert.equal(usage?.value, 250);
  assert.equal(usage?.total, 1000);
  assert.equal(usage?.pct, ' 25.0%');
  assert.match(usage?.detail ?? '', /rec\/s, ETA .*1 failed, 0 skipped$/);
  state.setPhase('verify', t0 + 2000);
  state.verifyProgress('users', 5, 10, t0 + 2000);
  assert.deepEqual([...displayLines(state, t0 + 2000).keys()], ['verify:users']);
});

test('log lines written while bars are drawn still reach the terminal, above the bars', async () => {
  const out = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 }) as unknown as NodeJS.WriteStream;
  let written = '';
  (out as unknown as PassThrough).on('data', (d: Buffer) => (written += d.toString()));
  const display = new LiveDisplay(out);
  const state = new RunState(Date.now());
  state.plan(['organizations']);
  display.attach(state);
  display.logStream.write('before any bar\n');
  state.setPhase('records');
  state.start('organizations', 'records', 10, Date.now());
  state.progress('organizations', { successful: 4, failed: 0, skipped: 0 }, Date.now());
  display.changed('task-progress');
  display.logStream.write('a line while the bar is drawn\n');
  await new Promise((r) => setTimeout(r, 250));
  await display.finish();
  display.logStream.write('after the bars\n');
  const plain = stripVTControlCharacters(written);
  for (const text of ['before any bar', 'a line while the bar is drawn', 'after the bars', 'organizations', '40.0%', '4/10']) assert.ok(plain.includes(text), text);
  assert.ok(plain.indexOf('a line while the bar is drawn') < plain.indexOf('after the bars'));
});
