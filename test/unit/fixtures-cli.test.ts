import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli } from '../fixtures/cli-args.js';
import { resolveOptions } from '../fixtures/options.js';

test('flags map to generator options', () => {
  const args = parseCli(['--mongo-url', 'mongodb://h:1/', '--db', 'tk', '--seed', '3', '--orgs', '4', '--envs', '2', '--executions', '50', '--usage', '100000', '--messiness', '0.25', '--orphans', '--edge-cases', '--server', 'ferretdb-v1', '--append']);
  assert.notEqual(args, 'help');
  if (args === 'help') return;
  assert.equal(args.mongoUrl, 'mongodb://h:1/');
  assert.equal(args.db, 'tk');
  assert.equal(args.append, true);
  assert.deepEqual(args.options, { seed: 3, orgs: 4, envsPerOrg: 2, executionsPerEnv: 50, usageRecords: 100000, messiness: 0.25, orphans: true, edgeCases: true, server: 'ferretdb-v1' });
});

test('defaults: local MongoDB, database testkubecloud, small scale, drop first', () => {
  const args = parseCli([]);
  assert.deepEqual(args, { mongoUrl: 'mongodb://127.0.0.1:27017/', db: 'testkubecloud', append: false, scale: 'small', options: {} });
  assert.equal(parseCli(['--help']), 'help');
});

test('explicit flags win over the scale preset', () => {
  const args = parseCli(['--scale', 'medium', '--usage', '7']);
  if (args === 'help') throw new Error('unexpected help');
  const resolved = resolveOptions(args.options, args.scale);
  assert.equal(resolved.usageRecords, 7);
  assert.equal(resolved.orgs, 10);
});

test('bad values are refused with the flag named', () => {
  assert.throws(() => parseCli(['--orgs', 'three']), /--orgs/);
  assert.throws(() => parseCli(['--messiness', '1.5']), /--messiness/);
  assert.throws(() => parseCli(['--scale', 'huge']), /--scale/);
  assert.throws(() => parseCli(['--server', 'mysql']), /--server/);
  assert.throws(() => parseCli(['--unknown']));
  assert.throws(() => resolveOptions({ batchSize: 5000 }), /batchSize/);
  assert.throws(() => resolveOptions({ orgs: 0 }), /orgs/);
});
