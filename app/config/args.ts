/**
 * Command line: `mongo2pg [command] [flags]`. Flags are accepted as `--name value`,
 * `--name=value` and the original utility's single-dash `-name value` (Go's flag package).
 */
import { ConfigError } from '../errors.js';
import { BOOLEAN_FALSE, BOOLEAN_TRUE } from './formats.js';
import { SETTINGS } from './settings.js';

export interface ParsedArgs {
  command: string | undefined;
  /** Raw flag values by flag name (underscored), last one wins. */
  flags: Map<string, string>;
  positionals: string[];
  help: boolean;
}

const BOOLEAN_WORDS = new Set<string>([...BOOLEAN_TRUE, ...BOOLEAN_FALSE]);

/** A boolean flag given alone means true; `--flag false` and `--flag=false` set it false. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const known = new Map(SETTINGS.map((s) => [s.flag, s]));
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const match = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      positionals.push(arg);
      continue;
    }
    const name = (match[1] as string).replaceAll('-', '_');
    const setting = known.get(name);
    if (!setting) {
      throw new ConfigError(`unknown flag ${arg.split('=')[0]}; run "mongo2pg --help" for the list of settings`, { context: { flag: name } });
    }
    let value = match[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (setting.type.kind === 'boolean' && (next === undefined || !BOOLEAN_WORDS.has(next))) {
        value = 'true';
      } else if (next === undefined) {
        throw new ConfigError(`flag --${name} needs a value (${setting.type.form})`, { context: { flag: name } });
      } else {
        value = next;
        i++;
      }
    }
    flags.set(name, value);
  }
  return { command: positionals[0], flags, positionals: positionals.slice(1), help };
}
