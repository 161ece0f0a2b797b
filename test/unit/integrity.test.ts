import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntegrityError } from '../../app/errors.js';
import { KnownIds, checkReferences, environmentKey } from '../../app/engine/integrity.js';

test('references to known keys pass; absent optional references are not checked', () => {
  const known = new KnownIds();
  known.add('organization', 'tkcorg_1');
  assert.equal(checkReferences([{ kind: 'organization', id: 'tkcorg_1', field: 'organizationId' }, { kind: 'organization', id: null, field: 'parentId' }], known), null);
});

test('a dangling reference is an IntegrityError naming the field and the id', () => {
  const known = new KnownIds();
  known.add('organization', 'tkcorg_1');
  const err = checkReferences([{ kind: 'organization', id: 'tkcorg_gone', field: 'organizationId' }], known);
  assert.ok(err instanceof IntegrityError);
  assert.equal(err.code, 'INTEGRITY');
  assert.match(err.message, /organizationId references organization "tkcorg_gone", which does not exist/);
});

test('a tracked kind with no keys rejects every reference; an untracked kind is not checked', () => {
  const known = new KnownIds();
  known.track('environment');
  assert.ok(checkReferences([{ kind: 'environment', id: environmentKey('o', 'e'), field: 'environmentId' }], known));
  assert.equal(checkReferences([{ kind: 'user', id: 'u1', field: 'ownerId' }], known), null);
});
