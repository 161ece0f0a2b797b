/**
 * Parses a Goose-format SQL migration: `-- +goose Up` / `-- +goose Down` sections,
 * `-- +goose StatementBegin` / `StatementEnd` blocks, and `-- +goose NO TRANSACTION`.
 * Statements split the way Goose splits them: outside a block, a statement ends on a line whose
 * last word (before any `--` comment) ends with a semicolon.
 */
export interface GooseMigration {
  version: bigint;
  name: string;
  up: string[];
  down: string[];
  noTransaction: boolean;
}

export class GooseParseError extends Error {}

export function parseGooseFile(fileName: string, text: string): GooseMigration {
  const match = /^(\d+)_([\w.-]+)\.sql$/.exec(fileName);
  if (!match) throw new GooseParseError(`${fileName}: migration file names must be <version>_<name>.sql`);
  const sections: Record<'up' | 'down', string[]> = { up: [], down: [] };
  let section: 'up' | 'down' | null = null;
  let inBlock = false;
  let noTransaction = false;
  let buffer: string[] = [];

  const flush = (): void => {
    const statement = buffer.join('\n').trim();
    if (section && statement !== '' && !isOnlyComments(statement)) sections[section].push(statement);
    buffer = [];
  };

  for (const line of text.split(/\r?\n/)) {
    const annotation = /^--\s*\+goose\s+(.+?)\s*$/i.exec(line.trim());
    if (annotation) {
      const word = (annotation[1] as string).toLowerCase();
      if (word === 'up' || word === 'down') {
        if (inBlock) throw new GooseParseError(`${fileName}: "+goose ${word}" inside a StatementBegin block`);
        flush();
        section = word;
      } else if (word === 'statementbegin') {
        if (inBlock) throw new GooseParseError(`${fileName}: nested StatementBegin`);
        flush();
        inBlock = true;
      } else if (word === 'statementend') {
        if (!inBlock) throw new GooseParseError(`${fileName}: StatementEnd without StatementBegin`);
        flush();
        inBlock = false;
      } else if (word === 'no transaction') {
        noTransaction = true;
      } else {
        throw new GooseParseError(`${fileName}: unknown annotation "+goose ${annotation[1]}"`);
      }
      continue;
    }
    if (section === null) continue;
    buffer.push(line);
    if (!inBlock && endsWithSemicolon(line)) flush();
  }
  if (inBlock) throw new GooseParseError(`${fileName}: StatementBegin without StatementEnd`);
  flush();
  if (!/^--\s*\+goose\s+up\s*$/im.test(text)) throw new GooseParseError(`${fileName}: no "-- +goose Up" section`);
  return { version: BigInt(match[1] as string), name: fileName.replace(/\.sql$/, ''), up: sections.up, down: sections.down, noTransaction };
}

function endsWithSemicolon(line: string): boolean {
  const code = line.split('--')[0]?.trimEnd() ?? '';
  return code.endsWith(';');
}

function isOnlyComments(statement: string): boolean {
  return statement.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('--'));
}
