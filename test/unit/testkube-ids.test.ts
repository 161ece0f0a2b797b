// Deterministic child-row ids: RFC 4122 name-based uuids (version 5), stable across runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowId, TESTKUBE_ID_NAMESPACE, uuidV5 } from '../../app/transform/testkube/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('uuidV5 matches the well-known vector v5(DNS, "python.org")', () => {
  assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
});

test('row ids are valid v5 uuids, pinned, and differ by table, execution and position', () => {
  assert.equal(TESTKUBE_ID_NAMESPACE, '4d5bda41-7a2e-45e1-a19e-804bd8d94a25');
  // Pinned: changing the naming scheme would change every migrated id; verification relies on it.
  assert.equal(rowId('test_workflow_signatures', '66a1b2c3d4e5f60718293a4c', 1), 'c3df245b-cc64-51d0-91d1-b64d86c3c86f');
  const ids = [
    rowId('test_workflow_signatures', 'e1', 1),
    rowId('test_workflow_signatures', 'e1', 2),
    rowId('test_workflow_outputs', 'e1', 1),
    rowId('test_workflow_signatures', 'e2', 1),
    rowId('test_workflows', 'e1', 'workflow'),
    rowId('test_workflows', 'e1', 'resolved_workflow'),
  ];
  for (const id of ids) assert.match(id, UUID);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(rowId('test_workflow_signatures', 'e1', 1), ids[0]);
});
