import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DROPPED_FIELDS_DOC, splitDroppedFields } from '../../app/datasets/bulk/dropped-fields.js';

test('documented drops (not-stored, legacy-field) are expected; unknown fields are not', () => {
  const split = splitDroppedFields(new Map([
    ['workflow.sync (not-stored)', 18],
    ['signature[].id (not-stored)', 4],
    ['config (legacy-field)', 1],
    ['executionnamespace (unknown-field)', 2],
    ['odd key without reason', 1],
  ]));
  assert.deepEqual(split.expected, { 'workflow.sync (not-stored)': 18, 'signature[].id (not-stored)': 4, 'config (legacy-field)': 1 });
  assert.deepEqual(split.unexpected, { 'executionnamespace (unknown-field)': 2, 'odd key without reason': 1 });
});

test('the pointer names a section that exists and lists the expected fields', () => {
  const [file, anchor] = DROPPED_FIELDS_DOC.split('#') as [string, string];
  const doc = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  const heading = doc.split('\n').find((l) => l.startsWith('## ') && l.slice(3).toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-') === anchor);
  assert.ok(heading, `a heading for #${anchor} in ${file}`);
  const section = doc.slice(doc.indexOf(heading)).split('\n## ')[0] as string;
  for (const field of ['signature[].id', 'workflow.sync', 'resolvedworkflow.sync', 'config', 'not-stored', 'legacy-field', 'unknown-field']) assert.ok(section.includes(field), field);
});
