import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELD_ERAS, goDuration } from '../fixtures/builders/executions.js';
import { FULLWIDTH_DOT } from '../fixtures/builders/testworkflow-spec.js';
import { GO_ZERO_TIME } from '../fixtures/clock.js';
import { plannedDocuments } from '../fixtures/in-memory.js';
import { bsonTypeOf } from '../fixtures/shapes.js';

type Doc = Record<string, unknown>;

const OPTIONS = { seed: 2, orgs: 6, envsPerOrg: 2, usersPerOrg: 2, executionsPerEnv: 30, usageRecords: 0, auditEvents: 0, applicationAuditEvents: 0, events: 0, reportingData: 0, messiness: 0.2 };
const all = [...plannedDocuments(OPTIONS)];
const executions = all.filter((d) => d.dataSet === 'test_workflow_executions').map((d) => d.built);
const sequences = all.filter((d) => d.dataSet === 'execution_sequences');

test('goDuration writes Go time.Duration strings', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(500), '500ms');
  assert.equal(goDuration(1500), '1.5s');
  assert.equal(goDuration(60_000), '1m0s');
  assert.equal(goDuration(83_456), '1m23.456s');
  assert.equal(goDuration(3_723_000), '1h2m3s');
});

test('executions carry the always-present fields with lowercase keys', () => {
  assert.equal(executions.length, 6 * 2 * 30);
  for (const { doc } of executions) {
    assert.equal(bsonTypeOf(doc._id), 'objectId');
    assert.match(doc.id as string, /^[0-9a-f]{24}$/);
    assert.ok(['int32', 'long', 'double'].includes(bsonTypeOf(doc.number)));
    assert.ok(doc.scheduledat instanceof Date && doc.statusat instanceof Date);
    assert.ok(Array.isArray(doc.signature));
    for (const key of [...Object.keys(doc), ...Object.keys(doc.result as Doc)]) assert.match(key, /^(_id|[a-z_]+)$/, key);
    assert.ok(doc.output === null || Array.isArray(doc.output));
  }
});

test('fields appear only in executions scheduled after they were introduced', () => {
  const eras: Array<[keyof typeof FIELD_ERAS, (d: Doc) => boolean]> = [
    ['reports', (d) => 'reports' in d],
    ['dec2024', (d) => 'tags' in d && 'runningcontext' in d && 'configparams' in d && 'groupid' in d],
    ['runner', (d) => 'runnertarget' in d],
    ['assigned', (d) => 'assignedat' in d && 'resourceaggregations' in d],
    ['runtime', (d) => 'runtime' in d],
    ['silentmode', (d) => 'silentmode' in d],
    ['sync', (d) => 'sync' in (d.workflow as Doc)],
    ['signatureId', (d) => (d.signature as Doc[]).every((n) => 'id' in n)],
  ];
  for (const [era, has] of eras) {
    const from = FIELD_ERAS[era];
    const before = executions.filter(({ doc }) => (doc.scheduledat as Date) < from);
    const after = executions.filter(({ doc }) => (doc.scheduledat as Date) >= from);
    assert.ok(before.length > 0 && after.length > 0, `${era}: documents on both sides`);
    assert.ok(before.every(({ doc }) => !has(doc) || era === 'signatureId'), `${era}: absent before`);
    assert.ok(after.every(({ doc }) => has(doc)), `${era}: present after`);
  }
  const legacyConfig = executions.filter(({ doc }) => 'config' in doc).map(({ doc }) => (doc.scheduledat as Date).toISOString().slice(0, 7));
  assert.ok(legacyConfig.every((month) => month === '2024-12'));
});

test('result steps are keyed by the signature refs, and durations add up', () => {
  const refs = (nodes: Doc[]): string[] => nodes.flatMap((n) => [n.ref as string, ...(Array.isArray(n.children) ? refs(n.children as Doc[]) : [])]);
  for (const { doc } of executions) {
    const result = doc.result as Doc;
    if (result.steps !== null) assert.deepEqual(Object.keys(result.steps as Doc), refs(doc.signature as Doc[]));
    const finished = result.finishedat as Date;
    if (finished.getTime() !== GO_ZERO_TIME.getTime()) {
      const total = finished.getTime() - (doc.scheduledat as Date).getTime();
      assert.equal(Number(result.totaldurationms), total);
      assert.equal(Number(result.durationms), Math.max(0, total - Number(result.pausedms)));
      assert.equal(result.totalduration, goDuration(total));
    }
  }
});

test('tag and label keys with dots are escaped with U+FF0E', () => {
  let escaped = 0;
  for (const { doc } of executions) {
    for (const map of [doc.tags, (doc.workflow as Doc).labels]) {
      if (map === null || map === undefined) continue;
      for (const key of Object.keys(map as Doc)) {
        assert.ok(!key.includes('.'), key);
        if (key.includes(FULLWIDTH_DOT)) escaped++;
      }
    }
  }
  assert.ok(escaped > 0);
});

test('sequence documents give each workflow the number the fact-sheet rule reads', () => {
  const byCollection = new Map<string, Doc[]>();
  for (const s of sequences) byCollection.set(s.collection, [...(byCollection.get(s.collection) ?? []), s.built.doc]);
  assert.ok(byCollection.size === 12);
  let legacy = 0;
  for (const docs of byCollection.values()) {
    const read = (name: string): number => {
      const current = docs.find((d) => d._id === `tw-${name}`);
      if (current !== undefined) return Number(current.number);
      const old = docs.find((d) => d.name === name && bsonTypeOf(d._id) === 'objectId');
      if (old !== undefined && Number(old.number) !== 0) return Number(old.number);
      const test = docs.find((d) => d._id === `t-${name}`);
      return test === undefined ? 0 : Number(test.number);
    };
    const names = new Set(docs.flatMap((d) => (typeof d._id === 'string' && d._id.startsWith('tw-') ? [d._id.slice(3)] : typeof d.name === 'string' && !d.name.startsWith('ts-') ? [d.name] : typeof d._id === 'string' && d._id.startsWith('t-') ? [d._id.slice(2)] : [])));
    for (const name of names) assert.ok(read(name) > 0, name);
    legacy += docs.filter((d) => bsonTypeOf(d._id) === 'objectId').length;
    assert.ok(docs.some((d) => d._id === 'ts-nightly-suite') && docs.some((d) => d.istestsuite === true));
  }
  assert.ok(legacy > 12, 'legacy sequence documents besides the test-suite ones');
});
