/**
 * PostgreSQL COPY text format: columns separated by tab, rows by newline, NULL as \N, and
 * backslash, tab, newline and carriage return escaped (PostgreSQL docs, "COPY — Text Format").
 */
import type { PgValue } from '../datasets/types.js';

const NEEDS_ESCAPE = /[\\\t\n\r]/;

function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  for (const ch of text) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

export function copyValue(value: PgValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // -0 for float8, which keeps the sign (String(-0) is "0").
  if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : String(value)) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  return escapeText(value);
}

export function copyLine(row: readonly PgValue[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += '\t';
    line += copyValue(row[i] as PgValue);
  }
  return `${line}\n`;
}
