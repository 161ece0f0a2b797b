/**
 * Which tables "the migration writes", so the gate can tell an empty target from a used one:
 * every table of every data set in the registry, every table the schema files create (a table
 * the schema creates but no data set fills yet is still expected to be empty), and the bulk
 * phase's progress table. Tables the schema files fill themselves (seed rows) are left out:
 * they are not empty after the schema step, whoever ran it.
 */
import type { DataSet } from '../datasets/types.js';
import type { GooseMigration } from '../schema-migrations/goose-file.js';

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const NAME = String.raw`(${IDENT}(?:\s*\.\s*${IDENT})?)`;
const CREATE = new RegExp(String.raw`^\s*CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`, 'i');
const DROP = new RegExp(String.raw`^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${NAME}`, 'i');
const INSERT = new RegExp(String.raw`^\s*(?:WITH\b[\s\S]*?\)\s*)?INSERT\s+INTO\s+${NAME}`, 'i');

/**
 * A table name in canonical SQL form: each part folded as PostgreSQL folds it (unquoted parts
 * lower-cased, quoted parts kept) and then quoted, e.g. `Foo."Bar"` → `"foo"."Bar"`. Safe to
 * splice into SQL and to compare.
 */
export function normalizeTableName(name: string): string {
  return name
    .trim()
    .split(/\s*\.\s*(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((part) => (part.startsWith('"') ? part.slice(1, -1).replaceAll('""', '"') : part.toLowerCase()))
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}

/** For messages: `"mongo2pg"."bulk_progress"` → `mongo2pg.bulk_progress`. */
export function displayTableName(canonical: string): string {
  return canonical.replace(/"((?:[^"]|"")*)"/g, (_, part: string) => part.replaceAll('""', '"'));
}

/** Statements with leading comment lines removed, so `-- note\nCREATE TABLE` still matches. */
function code(statement: string): string {
  return statement.split(/\r?\n/).filter((l) => !l.trim().startsWith('--')).join('\n');
}

export function tablesFromSchema(migrations: readonly GooseMigration[]): { created: string[]; seeded: string[] } {
  const created = new Set<string>();
  const seeded = new Set<string>();
  for (const m of migrations) {
    for (const statement of m.up.map(code)) {
      const c = CREATE.exec(statement);
      if (c) created.add(normalizeTableName(c[1] as string));
      const d = DROP.exec(statement);
      if (d) created.delete(normalizeTableName(d[1] as string));
      const i = INSERT.exec(statement);
      if (i) seeded.add(normalizeTableName(i[1] as string));
    }
  }
  return { created: [...created], seeded: [...seeded] };
}

/** Sorted, without duplicates, in canonical quoted form (see normalizeTableName). */
export function tablesWritten(dataSets: readonly Pick<DataSet, 'tables'>[], migrations: readonly GooseMigration[], extra: readonly string[]): string[] {
  const { created, seeded } = tablesFromSchema(migrations);
  const fromDataSets = dataSets.flatMap((d) => d.tables.map((t) => normalizeTableName(t.table)));
  const all = new Set([...fromDataSets, ...created, ...extra.map(normalizeTableName)]);
  for (const t of seeded) all.delete(t);
  return [...all].sort();
}
