import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Double, Int32, Long, ObjectId } from 'mongodb';
import { organizations } from '../../app/datasets/record/organizations.js';
import { ORG, T1, T1_ISO, T2, T2_ISO, USER, transformErrorOn } from './datasets-support.js';

const OTHER = '65f1a2b3c4d5e6f708192a3c';

const clean = () => ({
  _id: ORG,
  name: 'Acme Labs',
  slug: 'acme',
  ownerId: USER,
  plan: { name: 'team', status: 'active', seats: new Int32(10), limits: { executionsPerMonth: Long.fromNumber(20000), users: new Int32(10) } },
  members: [
    { userId: USER, role: 'owner', joinedAt: T1 },
    { userId: OTHER, role: 'member', joinedAt: T2 },
  ],
  features: { aiAssistant: true, statusPages: false, sso: false },
  logoUrl: 'https://cdn.example/logos/acme.svg',
  createdAt: T1,
  updatedAt: T2,
  deletedAt: T2,
  payments: [{ amount: '49.00', currency: 'usd' }],
});

test('a clean organisation: one organizations row and one organization_members row per member, in order', () => {
  assert.deepEqual(organizations.transform(clean(), {}), [
    {
      table: 'organizations',
      rows: [[
        ORG, 'Acme Labs', 'acme', USER,
        '{"name":"team","status":"active","seats":10,"limits":{"executionsPerMonth":20000,"users":10}}',
        T1_ISO, T2_ISO,
        '{"features":{"aiAssistant":true,"statusPages":false,"sso":false},"logoUrl":"https://cdn.example/logos/acme.svg"}',
        T2_ISO,
      ]],
    },
    {
      table: 'organization_members',
      rows: [
        [ORG, USER, 'owner', T1_ISO, 0, null],
        [ORG, OTHER, 'member', T2_ISO, 1, null],
      ],
    },
  ]);
  assert.deepEqual(organizations.tables.map((t) => [t.table, t.conflictKey]), [['organizations', ['id']], ['organization_members', ['organization_id', 'user_id']]]);
});

test('provides the organisation key; user references are soft (no references declared)', () => {
  assert.deepEqual(organizations.provides?.kind, 'organization');
  assert.equal(organizations.provides?.key(clean(), {}), ORG);
  assert.equal(organizations.references, undefined);
  assert.equal(organizations.idOf(clean()), ORG);
});

test('messy organisation: ObjectId user references become hex, dates as strings parse, plan numbers kept as found', () => {
  const doc = {
    ...clean(),
    slug: ' ACME',
    ownerId: new ObjectId(USER),
    plan: { seats: '10', limits: { users: new Double(10) } },
    members: [{ userId: new ObjectId(USER), role: 'owner', joinedAt: T1_ISO, invitedVia: 'sso' }],
    createdAt: T1_ISO,
  };
  const [org, members] = organizations.transform(doc, {});
  assert.deepEqual(org?.rows[0]?.slice(0, 6), [ORG, 'Acme Labs', ' ACME', USER, '{"seats":"10","limits":{"users":10.0}}', T1_ISO]);
  assert.deepEqual(members?.rows, [[ORG, USER, 'owner', T1_ISO, 0, '{"invitedVia":"sso"}']]);
});

test('missing optional fields are NULL, explicit nulls too, except plan which keeps JSON null', () => {
  const minimal = { _id: ORG, name: 'Acme Labs', members: [] };
  assert.deepEqual(organizations.transform(minimal, {}), [
    { table: 'organizations', rows: [[ORG, 'Acme Labs', null, null, null, null, null, null, null]] },
    { table: 'organization_members', rows: [] },
  ]);
  const nulls = { ...minimal, slug: null, ownerId: null, plan: null };
  assert.deepEqual(organizations.transform(nulls, {})[0]?.rows[0], [ORG, 'Acme Labs', null, null, 'null', null, null, null, null]);
});

test('members or payments missing: no rows; an explicit null stays in extra (no row can say null)', () => {
  const out = organizations.transform({ _id: ORG, name: 'Acme Labs', members: null, payments: null }, {});
  assert.equal(out[0]?.rows[0]?.[7], '{"members":null,"payments":null}');
  assert.deepEqual(out[1]?.rows, []);
  assert.deepEqual(organizations.transform({ _id: ORG, name: 'Acme Labs' }, {})[1]?.rows, []);
});

test('a user listed twice fails the organisation with a clear reason, also when one entry is an ObjectId', () => {
  const doc = { ...clean(), members: [{ userId: USER, role: 'owner' }, { userId: OTHER }, { userId: new ObjectId(USER), role: 'admin' }] };
  assert.throws(() => organizations.transform(doc, {}), transformErrorOn('members[2].userId', /user 65f1a2b3c4d5e6f708192a3b is already members\[0\]/));
});

test('malformed members and values that cannot be stored fail naming the field', () => {
  assert.throws(() => organizations.transform({ ...clean(), members: [{ role: 'owner' }] }, {}), transformErrorOn('members[0].userId', /required/));
  assert.throws(() => organizations.transform({ ...clean(), members: ['u1'] }, {}), transformErrorOn('members[0]', /expected a document/));
  assert.throws(() => organizations.transform({ ...clean(), members: { userId: USER } }, {}), transformErrorOn('members', /expected an array/));
  assert.throws(() => organizations.transform({ ...clean(), payments: 'none' }, {}), transformErrorOn('payments', /expected an array/));
  assert.throws(() => organizations.transform({ ...clean(), members: [{ userId: USER, joinedAt: 'soon' }] }, {}), transformErrorOn('members[0].joinedAt'));
  assert.throws(() => organizations.transform({ ...clean(), _id: new ObjectId() }, {}), transformErrorOn('_id', /expected a string id/));
  assert.throws(() => organizations.transform({ ...clean(), name: null }, {}), transformErrorOn('name', /required/));
  assert.throws(() => organizations.transform({ ...clean(), ownerId: 42 }, {}), transformErrorOn('ownerId'));
});
