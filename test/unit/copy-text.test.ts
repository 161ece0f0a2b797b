import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyLine, copyValue } from '../../app/engine/copy-text.js';

test('COPY text escapes backslash, tab, newline and carriage return', () => {
  assert.equal(copyValue('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
});

test('COPY text writes NULL as \\N and keeps a literal "\\N" string distinct', () => {
  assert.equal(copyValue(null), '\\N');
  assert.equal(copyValue('\\N'), '\\\\N');
});

test('COPY text maps booleans, numbers and non-finite doubles', () => {
  assert.deepEqual([true, false, 1.5, -0, Infinity, -Infinity, NaN].map(copyValue), ['t', 'f', '1.5', '-0', 'Infinity', '-Infinity', 'NaN']);
});

test('a row becomes one tab-separated line', () => {
  assert.equal(copyLine(['x', null, 3, true, '{"a":"b\\tc"}']), 'x\t\\N\t3\tt\t{"a":"b\\\\tc"}\n');
});
