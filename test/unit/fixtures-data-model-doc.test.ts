// Docs that run: docs/data-model/*.md must name every source field of test/fixtures/shapes.ts and
// every column of the control-plane schema files, so the model, the generator and the schema
// cannot drift apart unnoticed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHAPES } from '../fixtures/shapes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOC_DIR = join(ROOT, 'docs', 'data-model');
const docs = readdirSync(DOC_DIR).filter((f) => f.endsWith('.md')).map((f) => readFileSync(join(DOC_DIR, f), 'utf8')).join('\n');
const sections = new Map(
  docs.split(/^### /m).slice(1).map((chunk) => {
    const [heading = '', ...rest] = chunk.split('\n');
    return [heading.trim(), rest.join('\n')] as const;
  }),
);

/** Tables and their columns from the Up sections of the control-plane migrations. */
function schemaTables(): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  const files = readdirSync(join(ROOT, 'schema')).filter((f) => /^0000\d_.*\.sql$/.test(f));
  for (const file of files) {
    const up = readFileSync(join(ROOT, 'schema', file), 'utf8').split('-- +goose Down')[0] ?? '';
    for (const m of up.matchAll(/CREATE TABLE (\w+) \(([\s\S]*?)\n\);/g)) {
      const columns = (m[2] ?? '')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('--') && !/^(CONSTRAINT|FOREIGN KEY|PRIMARY KEY|UNIQUE)\b/.test(line))
        .map((line) => line.split(/\s+/)[0] ?? '');
      tables.set(m[1] ?? '', columns);
    }
  }
  return tables;
}

test('every data set with a shape has a section naming each of its source fields', () => {
  const missing: string[] = [];
  for (const [dataSet, shape] of Object.entries(SHAPES)) {
    const text = sections.get(dataSet);
    if (text === undefined) {
      missing.push(`${dataSet}: no "### ${dataSet}" section`);
      continue;
    }
    for (const field of [...Object.keys(shape?.fields ?? {}), ...Object.keys(shape?.legacy?.add ?? {})]) {
      if (!text.includes(`\`${field}\``)) missing.push(`${dataSet}.${field}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every control-plane table is documented with all of its columns', () => {
  const tables = schemaTables();
  assert.equal(tables.size, 39, 'tables in schema/00001..00007');
  const missing: string[] = [];
  for (const [table, columns] of tables) {
    const start = docs.indexOf(`Target \`${table}\``);
    if (start < 0) {
      missing.push(`${table}: no "Target \`${table}\`"`);
      continue;
    }
    const rest = docs.slice(start + 1);
    const end = Math.min(...[rest.indexOf('\n### '), rest.indexOf('Target `')].filter((i) => i >= 0), rest.length);
    const text = rest.slice(0, end);
    for (const column of columns) if (!text.includes(`\`${column}\``)) missing.push(`${table}.${column}`);
  }
  assert.deepEqual(missing, []);
});
