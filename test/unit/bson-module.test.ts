import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as driver from 'mongodb';
import * as bson from '../../app/source/bson.js';
import { toText } from '../../app/transform/values.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('app/source/bson.ts hands out the very classes the driver decodes into', () => {
  const names = ['BSON', 'Binary', 'BSONRegExp', 'BSONSymbol', 'Code', 'DBRef', 'Decimal128', 'Double', 'Int32', 'Long', 'MaxKey', 'MinKey', 'ObjectId', 'Timestamp', 'UUID'] as const;
  for (const name of names) assert.equal(bson[name], driver[name], name);
  const id = new driver.ObjectId();
  const decoded = driver.BSON.deserialize(driver.BSON.serialize({ id, n: new driver.Long(7) }), { promoteLongs: false });
  assert.ok(decoded.id instanceof bson.ObjectId && decoded.n instanceof bson.Long);
  assert.equal(toText(decoded.id, 'id'), id.toHexString());
});

test('the modules of a transform thread do not load the MongoDB driver', async () => {
  // What transform-worker.ts imports, in a process of its own; the driver is CommonJS, so it would
  // show in require's cache. The driver itself, imported the same way, is the control.
  const probe = `import { createRequire } from 'node:module';
    for (const m of process.argv.slice(1)) await import(new URL(m, 'file://${ROOT}/').href);
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ driver: cache.some((k) => k.includes('/node_modules/mongodb/')), bson: cache.some((k) => k.includes('/node_modules/bson/')) }));`;
  const run = async (...modules: string[]) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe, ...modules], { cwd: ROOT });
    return JSON.parse(stdout.trim()) as { driver: boolean; bson: boolean };
  };
  assert.deepEqual(await run('app/engine/bulk-batch.ts', 'app/engine/transform-pool.ts', 'app/engine/integrity.ts'), { driver: false, bson: true });
  assert.deepEqual(await run('app/source/mongo.ts'), { driver: true, bson: true });
});
