// Values that cannot reach PostgreSQL unchanged are reported as TransformError naming the field
// (fact sheet §6; product brief: never silently changed or dropped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Binary, Double, Long, ObjectId } from 'mongodb';
import { TransformError } from '../../app/errors.js';
import { transformExecution, type ProblemReason } from '../../app/transform/testkube/index.js';
import { at } from '../fixtures/testkube/documents.js';

const CTX = { organizationId: 'org', environmentId: 'env' };

function rejects(doc: Record<string, unknown>, field: string, reason: ProblemReason, message?: RegExp, ctx = CTX): void {
  assert.throws(
    () => transformExecution(doc, ctx),
    (err: unknown) => {
      assert.ok(err instanceof TransformError, `TransformError, got ${String(err)}`);
      assert.equal(err.code, 'TRANSFORM');
      assert.equal(err.field, field);
      assert.equal(err.context['reason'], reason);
      assert.equal(err.context['dataSet'], 'testkube_executions');
      if (typeof doc['id'] === 'string') assert.equal(err.context['recordId'], doc['id']);
      if (message) assert.match(err.message, message);
      return true;
    },
  );
}

const long = (n: number, ch = 'x'): string => ch.repeat(n);

test('VARCHAR limits: 255 for ids and names, 500 for report files, 50 for status, 100 for durations (§6)', () => {
  rejects({ id: long(256), name: 'x' }, 'id', 'too-long', /^id: is 256 characters long; the column is varchar\(255\)$/);
  rejects({ id: 'e', name: long(256) }, 'name', 'too-long');
  rejects({ id: 'e', name: 'x', runnerid: long(300) }, 'runnerid', 'too-long');
  rejects({ id: 'e', name: 'x', signature: [{ ref: 'a', children: [{ ref: 'b', name: long(256) }] }] }, 'signature[0].children[0].name', 'too-long');
  rejects({ id: 'e', name: 'x', output: [{ ref: long(256) }] }, 'output[0].ref', 'too-long');
  rejects({ id: 'e', name: 'x', reports: [{ ref: 'r', kind: 'junit', file: long(501) }] }, 'reports[0].file', 'too-long', /501 characters/);
  rejects({ id: 'e', name: 'x', result: { status: long(51) } }, 'result.status', 'too-long');
  rejects({ id: 'e', name: 'x', result: { status: 'passed', totalduration: long(101) } }, 'result.totalduration', 'too-long');
  rejects({ id: 'e', name: 'x', workflow: { name: long(256) } }, 'workflow.name', 'too-long');
  rejects({ id: 'e', name: 'x' }, 'organizationId', 'too-long', undefined, { organizationId: long(256), environmentId: '' });
});

test('limits count characters, not bytes or UTF-16 units; exactly at the limit is fine', () => {
  const rows = transformExecution({ id: 'e', name: long(255, '😀'), reports: [{ file: long(500, 'é') }] }, CTX);
  assert.equal(rows[0]?.rows[0]?.[1], long(255, '😀'));
  assert.equal(rows.find((t) => t.table === 'test_workflow_reports')?.rows[0]?.[3], long(500, 'é'));
  // description is TEXT: no limit.
  const wf = transformExecution({ id: 'e', name: 'x', workflow: { name: 'w', description: long(10_000) } }, CTX);
  assert.equal(wf.find((t) => t.table === 'test_workflows')?.rows[0]?.[4], long(10_000));
});

test('NUL characters cannot be stored in text or jsonb, wherever they are (keys included)', () => {
  rejects({ id: 'e', name: 'a\u0000b' }, 'name', 'nul-byte');
  rejects({ id: 'e', name: 'x', tags: { 'k\u0000': 'v' } }, 'tags["k\\u0000"]', 'nul-byte');
  rejects({ id: 'e', name: 'x', workflow: { name: 'w', spec: { steps: [{ shell: 'echo \u0000' }] } } }, 'workflow.spec.steps[0].shell', 'nul-byte');
  rejects({ id: 'e', name: 'x', output: [{ value: { deep: ['ok', 'n\u0000'] } }] }, 'output[0].value.deep[1]', 'nul-byte');
});

test('lone UTF-16 surrogates would become U+FFFD on the wire, so they are reported', () => {
  rejects({ id: 'e', name: 'x', output: [{ value: { s: 'a\uD800b' } }] }, 'output[0].value.s', 'lone-surrogate');
  rejects({ id: 'e', name: 'x', signature: [{ name: '\uDC00' }] }, 'signature[0].name', 'lone-surrogate');
});

test('int32 columns take Long/Double only when the value fits exactly; never wrapped (§6)', () => {
  rejects({ id: 'e', name: 'x', number: Long.fromNumber(2 ** 31) }, 'number', 'int32-range', /2147483648 does not fit/);
  rejects({ id: 'e', name: 'x', number: -(2 ** 31) - 1 }, 'number', 'int32-range');
  rejects({ id: 'e', name: 'x', number: new Double(1.5) }, 'number', 'not-integer');
  rejects({ id: 'e', name: 'x', result: { durationms: 2 ** 40 } }, 'result.durationms', 'int32-range');
  rejects({ id: 'e', name: 'x', reports: [{ summary: { tests: new Double(2.5) } }] }, 'reports[0].summary.tests', 'not-integer');
  rejects({ id: 'e', name: 'x', reports: [{ summary: { duration: new Double(0.5) } }] }, 'reports[0].summary.duration', 'not-integer');
  rejects({ id: 'e', name: 'x', number: '5' }, 'number', 'type-mismatch', /expected an int32, found BSON string/);
});

test('values Go cannot write as JSON, or the model has no JSON form for, are reported', () => {
  rejects({ id: 'e', name: 'x', resourceaggregations: { global: { cpu: { m: { avg: NaN } } } } }, 'resourceaggregations.global.cpu.m.avg', 'not-finite');
  rejects({ id: 'e', name: 'x', output: [{ value: { x: Infinity } }] }, 'output[0].value.x', 'not-finite');
  rejects({ id: 'e', name: 'x', output: [{ value: { blob: new Binary(Buffer.from('hi')) } }] }, 'output[0].value.blob', 'unsupported-bson-type', /BSON Binary/);
  rejects({ id: 'e', name: 'x', output: [{ value: { re: /x/ } }] }, 'output[0].value.re', 'unsupported-bson-type');
  rejects({ id: 'e', name: 'x', output: [{ value: 'not a map' }] }, 'output[0].value', 'type-mismatch');
});

test('TemplatableBoxedInteger values the Go code refuses are refused', () => {
  const doc = (runasuser: unknown): Record<string, unknown> => ({ id: 'e', name: 'x', workflow: { name: 'w', spec: { container: { securitycontext: { runasuser } } } } });
  rejects(doc({ value: 1.5 }), 'workflow.spec.container.securitycontext.runasuser.value', 'not-integer');
  rejects(doc({ value: true }), 'workflow.spec.container.securitycontext.runasuser.value', 'boxed-integer');
  rejects(doc({}), 'workflow.spec.container.securitycontext.runasuser.value', 'boxed-integer');
  rejects(doc([1]), 'workflow.spec.container.securitycontext.runasuser', 'boxed-integer');
});

test('dates: JSON only holds years 0..9999 (Go), columns hold any year from 1 on', () => {
  rejects({ id: 'e', name: 'x', result: { steps: { s: { startedat: at('+010000-01-01T00:00:00Z') } } } }, 'result.steps.s.startedat', 'date-range');
  rejects({ id: 'e', name: 'x', scheduledat: new Date(Number.NaN) }, 'scheduledat', 'invalid-date');
  rejects({ id: 'e', name: 'x', scheduledat: at('-000001-01-01T00:00:00Z') }, 'scheduledat', 'date-range');
  const rows = transformExecution({ id: 'e', name: 'x', scheduledat: at('+010000-01-01T00:00:00Z') }, CTX);
  assert.equal(rows[0]?.rows[0]?.[13], '10000-01-01T00:00:00.000Z');
});

test('an execution needs a string id; an ObjectId is not one (the collection has no ObjectIDAsHexString)', () => {
  rejects({ name: 'x' }, 'id', 'missing-id');
  rejects({ id: '', name: 'x' }, 'id', 'missing-id');
  rejects({ id: new ObjectId('65f0c0ffee00000000000001'), name: 'x' }, 'id', 'type-mismatch');
});

test('keys that differ only in case and meet in one Go field are ambiguous (Go would merge them)', () => {
  rejects({ id: 'e', name: 'x', result: { status: 'passed', Status: 'failed' } }, 'result.Status', 'duplicate-field');
});

test('wrong shapes: a document where an array belongs, a string where a document belongs', () => {
  rejects({ id: 'e', name: 'x', signature: { ref: 'a' } }, 'signature', 'type-mismatch');
  rejects({ id: 'e', name: 'x', workflow: 'w' }, 'workflow', 'type-mismatch');
  rejects({ id: 'e', name: 'x', tags: ['a'] }, 'tags', 'type-mismatch');
});
