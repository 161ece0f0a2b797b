/** docs/configuration.md follows the settings table and the exit codes (docs that cannot drift). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SETTINGS } from '../../app/config/settings.js';
import { ExitCode } from '../../app/errors.js';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

test('every setting has its row: env var, flag, default and description', () => {
  for (const s of SETTINGS) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${s.env}\``));
    assert.ok(row, `docs/configuration.md has no row for ${s.env}`);
    const def = s.default === '' ? (s.required ? '(required)' : '(unset)') : `\`${s.default}\``;
    assert.ok(row.includes(`| \`--${s.flag}\` | ${def} |`), `${s.env}: flag or default differs: ${row}`);
    assert.ok(row.includes(s.doc.replace(/\|/g, '\\|')), `${s.env}: description differs`);
    assert.equal(row.includes('(secret)'), Boolean(s.secret), `${s.env}: secret marking`);
  }
});

test('the exit code table lists every exit code', () => {
  for (const code of Object.values(ExitCode)) assert.match(doc, new RegExp(`^\\| ${code} \\|`, 'm'), `exit code ${code}`);
});
