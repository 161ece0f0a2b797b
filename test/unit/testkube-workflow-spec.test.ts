// The workflow spec JSONB: BSON lowercase keys → json tags, renames, omitempty, boxed values,
// TemplatableBoxedInteger and free-form values (fact sheet §0, §3 "JSONB shapes").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import { transformExecution } from '../../app/transform/testkube/index.js';
import { ZERO_DATE, at } from '../fixtures/testkube/documents.js';

const CTX = { organizationId: '', environmentId: '' };
const j = JSON.stringify;

/** The spec column of the 'workflow' row for a workflow with this BSON spec. */
function specJson(spec: unknown): unknown {
  const out = transformExecution({ id: 'e', name: 'x', workflow: { name: 'w', spec } }, CTX);
  const row = out.find((t) => t.table === 'test_workflows')?.rows[0];
  return row?.[7];
}

test('a full spec: renames, escaped keys verbatim, omitempty, boxed values, TemplatableBoxedInteger', () => {
  const spec = {
    use: [{ name: 'tpl', config: { 'a\uff0eb': '1' } }],
    concurrency: null,
    config: {
      vus: {
        description: 'virtual users',
        type_: 'integer',
        enum: null,
        example: '',
        default_: { value: '10' },
        format: '',
        pattern: '',
        minlength: null,
        maxlength: null,
        minimum: { value: 1 },
        maximum: null,
        exclusiveminimum: null,
        exclusivemaximum: null,
        multipleof: null,
        sensitive: false,
      },
      token: { description: '', type_: null, sensitive: true },
    },
    system: null,
    content: { git: { uri: 'https://github.com/acme/tests', revision: 'main', paths: ['k6'], cone: false, authtype: null }, files: null, tarball: null },
    services: null,
    container: {
      workingdir: null,
      image: 'alpine:3.20',
      imagepullpolicy: 'IfNotPresent',
      env: [{ global: null, name: 'A', value: 'b', valuefrom: null }],
      envfrom: null,
      command: null,
      args: null,
      resources: { limits: { cpu: '1', memory: '', storage: '', ephemeralstorage: '1Gi' }, requests: null },
      securitycontext: {
        capabilities: null,
        privileged: null,
        runasuser: { value: '1000' },
        runasgroup: { value: '{{ config.gid }}' },
        runasnonroot: { value: true },
      },
      volumemounts: null,
    },
    job: { labels: { 'x\uff0ey': 'z' }, annotations: null, namespace: '', activedeadlineseconds: { value: 600 } },
    pod: {
      labels: { 'team\uff0eio': 'qa' },
      annotations: {},
      nodeselector: null,
      serviceaccountname: 'runner',
      securitycontext: { runasuser: '7', fsgroup: { value: '+2000' }, supplementalgroups: [Long.fromNumber(5), 6] },
    },
    setup: null,
    steps: [
      {
        name: 'browsers',
        parallel: {
          count: { value: '2' },
          matrix: {
            browser: ['chrome', 'firefox'],
            when: at('2025-06-01T12:00:00.5Z'),
            id: new ObjectId('65f0c0ffee00000000000009'),
            big: Long.fromString('9007199254740993'),
            price: Decimal128.fromString('1.50'),
            ratio: new Double(0.25),
            n: new Int32(3),
            nothing: null,
          },
          shards: {},
          steps: [{ name: 'inner', shell: 'echo hi' }],
        },
      },
      { name: 'tpl', template: { name: 'k6', config: { 'p\uff0eq': 'r' } }, use: [] },
      { name: 'exec', execute: { workflows: [{ name: 'child', config: { x: 'y' }, matrix: null }] }, retry: { count: 0, until: '' } },
    ],
    after: [],
    events: [{ cronjob: { cron: '*/5 * * * *', labels: null, config: null, target: null, timezone: null } }],
    execution: { tags: { 'build\uff0eid': '1' }, target: { match: { name: ['r1'] } }, silent: false },
    timeouts: null,
    pvcs: null,
  };
  const expected = {
    use: [{ name: 'tpl', config: { 'a\uff0eb': '1' } }],
    config: {
      vus: { description: 'virtual users', type: 'integer', default: { value: '10' }, minimum: { value: 1 } },
      token: { type: null, sensitive: true }, // `type` has no omitempty: a nil pointer is written as null
    },
    content: { git: { uri: 'https://github.com/acme/tests', revision: 'main', paths: ['k6'] } },
    container: {
      image: 'alpine:3.20',
      imagePullPolicy: 'IfNotPresent',
      env: [{ name: 'A', value: 'b' }],
      resources: { limits: { cpu: '1', 'ephemeral-storage': '1Gi' } },
      securityContext: { runAsUser: { value: 1000 }, runAsGroup: { value: '{{ config.gid }}' }, runAsNonRoot: { value: true } },
    },
    job: { labels: { 'x\uff0ey': 'z' }, activeDeadlineSeconds: { value: 600 } },
    pod: {
      labels: { 'team\uff0eio': 'qa' },
      serviceAccountName: 'runner',
      securityContext: { runAsUser: { value: 7 }, supplementalGroups: [5, 6], fsGroup: { value: 2000 } },
    },
    steps: [
      {
        name: 'browsers',
        parallel: {
          count: { value: '2' },
          matrix: {
            browser: ['chrome', 'firefox'],
            when: '2025-06-01T12:00:00.5Z',
            id: '65f0c0ffee00000000000009',
            big: 9007199254740993n, // placeholder, see below
            price: '1.50',
            ratio: 0.25,
            n: 3,
            nothing: null,
          },
          steps: [{ name: 'inner', shell: 'echo hi' }],
        },
      },
      { name: 'tpl', template: { name: 'k6', config: { 'p\uff0eq': 'r' } } },
      { name: 'exec', retry: { count: 0 }, execute: { workflows: [{ name: 'child', config: { x: 'y' } }] } },
    ],
    events: [{ cronjob: { cron: '*/5 * * * *' } }],
    execution: { tags: { 'build\uff0eid': '1' }, target: { match: { name: ['r1'] } } },
  };
  // JSON.stringify cannot write a bigint; the Long keeps all its digits in the JSON text.
  const text = j(expected, (_k, v: unknown) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(/"@@(\d+)@@"/, '$1');
  assert.equal(specJson(spec), text);
});

test('TemplatableBoxedInteger: number when the string parses as int64, else string; bare values too', () => {
  const ctx = (runasuser: unknown): unknown => specJson({ container: { securitycontext: { runasuser } } });
  const expect = (value: string): string => `{"container":{"securityContext":{"runAsUser":{"value":${value}}}}}`;
  assert.equal(ctx({ value: '1000' }), expect('1000'));
  assert.equal(ctx({ value: '-1' }), expect('-1'));
  assert.equal(ctx({ value: '007' }), expect('7'));
  assert.equal(ctx({ value: '9223372036854775807' }), expect('9223372036854775807'));
  assert.equal(ctx({ value: '9223372036854775808' }), expect('"9223372036854775808"')); // beyond int64
  assert.equal(ctx({ value: '{{ config.uid }}' }), expect('"{{ config.uid }}"'));
  assert.equal(ctx({ value: ' 5' }), expect('" 5"'));
  assert.equal(ctx({ value: '' }), expect('""'));
  assert.equal(ctx({ Value: '12' }), expect('12')); // the driver matches the key in lowercase
  assert.equal(ctx({ value: new Int32(5) }), expect('5'));
  assert.equal(ctx({ value: new Double(6) }), expect('6'));
  assert.equal(ctx(Long.fromString('9000000000')), expect('9000000000'));
  assert.equal(ctx('abc'), expect('"abc"'));
  assert.equal(ctx(null), '{"container":{"securityContext":{}}}');
});

test('BSON lowercase keys become json tags; every rename of §0 that occurs in workflow types', () => {
  const rc = transformExecution(
    {
      id: 'e',
      name: 'x',
      runningcontext: { interface_: { name: '', type_: 'api' }, actor: { name: 'bot', type_: 'program', executionid: 'p1', executionpath: 'p1/p2', executionreference: 'ref' } },
      configparams: { p: { value: '', emptyvalue: true, defaultvalue: 'd', emptydefaultvalue: false, truncated: true, sensitive: true } },
      silentmode: { webhooks: true, insights: false, health: true, metrics: false, cdevents: true },
    },
    CTX,
  )[0]?.rows[0];
  assert.equal(rc?.[11], j({ interface: { type: 'api' }, actor: { name: 'bot', executionId: 'p1', executionPath: 'p1/p2', executionReference: 'ref', type: 'program' } }));
  assert.equal(rc?.[12], j({ p: { emptyValue: true, defaultValue: 'd', truncated: true, sensitive: true } }));
  assert.equal(rc?.[19], j({ webhooks: true, health: true, cdevents: true }));
});

test('times inside the spec and status use Go RFC3339Nano; a workflow with zero dates keeps NULL columns', () => {
  const out = transformExecution(
    { id: 'e', name: 'x', workflow: { name: 'w', created: ZERO_DATE(), updated: at('2025-02-03T04:05:06.007Z'), spec: {}, status: { health: { passrate: 1, fliprate: 0, overallhealth: 0.5 } } } },
    CTX,
  );
  const row = out.find((t) => t.table === 'test_workflows')?.rows[0];
  assert.deepEqual(row?.slice(7, 12), ['{}', false, j({ health: { passRate: 1, flipRate: 0, overallHealth: 0.5 } }), null, '2025-02-03T04:05:06.007Z']);
});

test('free-form values keep user keys, nested arrays and dots exactly', () => {
  const out = transformExecution(
    { id: 'e', name: 'x', output: [{ ref: 'r', name: 'n', value: { 'a.b': { 'c\uff0ed': [[1, 2], [], {}] }, $weird: '', '': 'empty key' } }] },
    CTX,
  );
  assert.equal(out.find((t) => t.table === 'test_workflow_outputs')?.rows[0]?.[3], j({ 'a.b': { 'c\uff0ed': [[1, 2], [], {}] }, $weird: '', '': 'empty key' }));
});
