/**
 * Loads the configuration once: CLI flags over env vars over `<ENV>_FILE` files over defaults.
 * Validates every setting strictly, freezes the result and hands it down. No other module reads
 * process.env.
 */
import { readFileSync } from 'node:fs';
import convict from 'convict';
import { ConfigError } from '../errors.js';
import { SETTINGS, type Setting } from './settings.js';

export type ReadPreference = 'primary' | 'primaryPreferred' | 'secondary' | 'secondaryPreferred' | 'nearest';

export interface Config {
  readonly mongo: {
    readonly dsn: string;
    readonly db: string;
    readonly minPoolSize: number;
    readonly maxPoolSize: number;
    readonly maxConnecting: number;
    readonly readPreference: ReadPreference;
    readonly connectionTimeout: number;
    readonly connectionDelay: number;
    readonly connectionAttempts: number;
  };
  readonly postgres: {
    readonly url: string;
    readonly connectionTimeout: number;
    readonly connectionDelay: number;
    readonly connectionAttempts: number;
  };
  readonly credentials: { readonly masterPassword: string };
  readonly convert: {
    readonly batchSize: number;
    readonly bulkReadSize: number;
    readonly bulkWriteSize: number;
    readonly workers: number;
    readonly bulkParallel: number;
    readonly dryRun: boolean;
    readonly skipExisting: boolean;
    readonly workDir: string;
    readonly skipIntegrityErrors: boolean;
    readonly since: Date | null;
    readonly verify: boolean;
  };
  readonly progress: {
    readonly logFormat: 'auto' | 'json' | 'text';
    readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
    readonly interval: number;
    readonly pushgatewayUrl: string;
    readonly pushInterval: number;
    readonly release: string;
    readonly jobName: string;
    readonly jobNamespace: string;
    readonly annotationInterval: number;
    readonly kubeServiceAccountDir: string;
    readonly kubeHost: string;
    readonly kubePort: string;
  };
  /** Every secret value in force, for redaction of logs and errors. */
  readonly secrets: readonly string[];
}

export type Source = 'flag' | 'env' | 'file' | 'default';

export interface ParsedArgs {
  command: string | undefined;
  flags: Map<string, string>;
  positionals: string[];
  help: boolean;
}

const BOOLEAN_FLAGS = new Set(SETTINGS.filter((s) => s.default === 'true' || s.default === 'false').map((s) => s.flag));

/**
 * Flags are accepted as `--name value`, `--name=value` and the original single-dash `-name value`.
 * A boolean flag given alone means true.
 */
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
    const match = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      positionals.push(arg);
      continue;
    }
    const name = (match[1] as string).replaceAll('-', '_');
    if (!known.has(name)) {
      throw new ConfigError(`unknown flag ${arg}; run "mongo2pg --help" for the list of settings`);
    }
    let value = match[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (BOOLEAN_FLAGS.has(name) && (next === undefined || next.startsWith('-') || !/^(true|false|1|0)$/i.test(next))) {
        value = 'true';
      } else if (next === undefined) {
        throw new ConfigError(`flag --${name} needs a value`);
      } else {
        value = next;
        i++;
      }
    }
    flags.set(name, value);
  }
  return { command: positionals[0], flags, positionals: positionals.slice(1), help };
}

function describeSource(setting: Setting, source: Source): string {
  switch (source) {
    case 'flag':
      return `flag --${setting.flag}`;
    case 'env':
      return `env ${setting.env}`;
    case 'file':
      return `file from ${setting.env}_FILE`;
    default:
      return 'default';
  }
}

/** Trailing newline(s) of a mounted Secret file are not part of the value. */
function readSecretFile(setting: Setting, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${setting.key} (env ${setting.env}_FILE): cannot read file ${path} (${reason})`);
  }
}

function resolveRaw(setting: Setting, flags: Map<string, string>, env: NodeJS.ProcessEnv): { raw: string; source: Source } {
  const fromFlag = flags.get(setting.flag);
  if (fromFlag !== undefined) return { raw: fromFlag, source: 'flag' };
  const fromEnv = env[setting.env];
  const filePath = setting.secret ? env[`${setting.env}_FILE`] : undefined;
  if (fromEnv !== undefined && fromEnv !== '' && filePath) {
    throw new ConfigError(`${setting.key}: both ${setting.env} and ${setting.env}_FILE are set; set only one`);
  }
  if (fromEnv !== undefined && fromEnv !== '') return { raw: fromEnv, source: 'env' };
  if (filePath) return { raw: readSecretFile(setting, filePath), source: 'file' };
  return { raw: setting.default, source: 'default' };
}

function convictSchema(): convict.Schema<Record<string, unknown>> {
  const schema: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const [group, name] = s.key.split('.') as [string, string];
    const node = (schema[group] ??= {}) as Record<string, unknown>;
    node[name] = { doc: s.doc, format: '*', default: null, env: s.env, arg: s.flag, sensitive: Boolean(s.secret) };
  }
  return schema as convict.Schema<Record<string, unknown>>;
}

export interface LoadedConfig {
  config: Config;
  sources: ReadonlyMap<string, Source>;
}

/**
 * Builds the frozen configuration. All problems are reported together, one line each, naming the
 * setting, where its value came from and what is allowed; secret values are never quoted.
 */
export function loadConfig(flags: Map<string, string>, env: NodeJS.ProcessEnv, options: { requireConnections?: boolean } = {}): LoadedConfig {
  const requireConnections = options.requireConnections ?? true;
  const conf = convict(convictSchema(), { env: {}, args: [] });
  const problems: string[] = [];
  const sources = new Map<string, Source>();
  const secrets: string[] = [];

  for (const setting of SETTINGS) {
    let resolved: { raw: string; source: Source };
    try {
      resolved = resolveRaw(setting, flags, env);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    sources.set(setting.key, resolved.source);
    if (setting.secret && resolved.raw !== '') secrets.push(resolved.raw);
    if (resolved.raw === '' && setting.required) {
      if (requireConnections) problems.push(`${setting.key}: required; set env ${setting.env}${setting.secret ? ` (or ${setting.env}_FILE)` : ''} or flag --${setting.flag}`);
      conf.set(setting.key, '');
      continue;
    }
    try {
      conf.set(setting.key, setting.parse(resolved.raw));
    } catch (err) {
      const shown = setting.secret || resolved.source === 'default' ? '' : ` (got ${JSON.stringify(resolved.raw)})`;
      problems.push(`${setting.key} (${describeSource(setting, resolved.source)}): ${(err as Error).message}${shown}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, { context: { problems } });
  }
  conf.validate({ allowed: 'strict' });
  const props = conf.getProperties() as Omit<Config, 'secrets'>;
  const config = deepFreeze({ ...props, secrets }) as Config;
  return { config, sources };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The effective configuration as printable lines, secrets shown as [redacted]. */
export function describeConfig(loaded: LoadedConfig): string[] {
  return SETTINGS.map((s) => {
    const [group, name] = s.key.split('.') as [string, string];
    const value = (loaded.config as unknown as Record<string, Record<string, unknown>>)[group]?.[name];
    let shown: string;
    if (s.secret) shown = value ? '[redacted]' : '(unset)';
    else if (value instanceof Date) shown = value.toISOString().slice(0, 10);
    else if (value === null || value === '') shown = '(unset)';
    else shown = String(value);
    return `${s.env}=${shown}  # ${s.key}, from ${loaded.sources.get(s.key) ?? 'default'}`;
  });
}

/** `--help` text: every setting with env var, flag, default and description. */
export function helpText(): string {
  const lines = [
    'mongo2pg: moves a MongoDB application database into PostgreSQL.',
    '',
    'Usage: mongo2pg <command> [flags]',
    '',
    'Commands:',
    '  migrate     pre-flight, schema, record-level phase, bulk phase, verification (default)',
    '  preflight   run the pre-flight checks only; writes nothing',
    '  verify      compare the target with the source',
    '  config      print the effective configuration, secrets redacted',
    '',
    'Every setting is an env var and a flag (--name value, --name=value or -name value); the flag wins.',
    'Secrets may also be read from a file named by <ENV>_FILE (a mounted Kubernetes Secret).',
  ];
  const groups: Record<string, string> = { connection: 'Connection', tuning: 'Migration tuning', progress: 'Progress and logging' };
  for (const [group, title] of Object.entries(groups)) {
    lines.push('', `${title}:`);
    for (const s of SETTINGS.filter((x) => x.group === group)) {
      const def = s.default === '' ? (s.required ? '(required)' : '(unset)') : s.default;
      lines.push(`  --${s.flag}  [env ${s.env}${s.secret ? `, ${s.env}_FILE` : ''}]  default: ${def}`, `      ${s.doc}`);
    }
  }
  lines.push('', 'Exit codes: 0 success, 2 invalid configuration, 3 pre-flight failed, 4 migration failed,', '5 verification failed, 130 interrupted, 1 unexpected error.');
  return lines.join('\n');
}
