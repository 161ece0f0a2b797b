// The global record-level data sets as a whole: registered parents first, one per documented
// global data set, and every document the fixture generator can produce for them (every messy
// variant, legacy shapes, orphans) transforms, except the edge cases it lists as 'reported'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globalRecordDataSets } from '../../app/datasets/record/global.js';
import type { Config } from '../../app/config/load.js';
import { TransformError } from '../../app/errors.js';
import { DATA_SETS } from '../fixtures/collections.js';
import { plannedDocuments } from '../fixtures/in-memory.js';
import { FIXTURE_MASTER_PASSWORD } from '../fixtures/options.js';

const config = { credentials: { masterPassword: FIXTURE_MASTER_PASSWORD } } as Config;
const dataSets = globalRecordDataSets(config);

test('every documented global record-level data set is registered once, with its documented collection', () => {
  const documented = DATA_SETS.filter((d) => d.phase === 'record' && d.scope === 'global');
  assert.deepEqual(dataSets.map((d) => d.name).sort(), documented.map((d) => d.name).sort());
  for (const d of documented) assert.equal(dataSets.find((ds) => ds.name === d.name)?.collection, d.base, d.name);
  for (const ds of dataSets) assert.deepEqual([ds.phase, ds.scope], ['record', 'global'], ds.name);
});

test('parents first: every dependency and every provider of a referenced kind runs earlier', () => {
  const seen = new Set<string>();
  for (const ds of dataSets) {
    for (const dep of ds.dependsOn) assert.ok(seen.has(dep), `${ds.name} depends on ${dep}, which must run before it`);
    seen.add(ds.name);
  }
  assert.deepEqual(dataSets.slice(0, 4).map((d) => d.name), ['users', 'organizations', 'payments_history', 'environments']);
  const providers = new Map(dataSets.filter((d) => d.provides).map((d) => [d.provides?.kind, d.name]));
  assert.deepEqual(Object.fromEntries(providers), { user: 'users', organization: 'organizations', environment: 'environments', status_page: 'status_pages' });
});

for (const server of ['mongodb', 'ferretdb-v1'] as const) {
  test(`every generated document (${server}: messy, legacy, orphans, edge cases) transforms unless listed as reported`, () => {
    const byName = new Map(dataSets.map((d) => [d.name, d]));
    const failures: string[] = [];
    const reported: string[] = [];
    const counts = new Map<string, number>();
    for (const messiness of [0, 1]) {
      for (const p of plannedDocuments({ seed: 11, messiness, orphans: true, edgeCases: true, recordsPerScope: 3 }, server)) {
        for (const ds of dataSets.filter((d) => d.collection === p.collection)) {
          assert.ok(byName.has(ds.name));
          for (const record of ds.explode ? ds.explode(p.built.doc) : [p.built.doc]) {
            counts.set(ds.name, (counts.get(ds.name) ?? 0) + 1);
            try {
              ds.transform(record, {});
            } catch (err) {
              const id = ds.idOf(record);
              if (!(err instanceof TransformError)) throw err;
              if (p.edge?.expected === 'reported' && ds.name === p.dataSet && err.field === p.edge.field) reported.push(`${ds.name}:${id}`);
              else failures.push(`${ds.name} ${id}: ${err.message}`);
            }
          }
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(reported.length, 2, 'the NUL byte user of each run is reported, naming its field');
    for (const ds of dataSets) assert.ok((counts.get(ds.name) ?? 0) > 0, `${ds.name} had documents`);
  });
}
