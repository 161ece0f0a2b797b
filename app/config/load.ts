/**
 * Loads the configuration once: CLI flag over env var over `<ENV>_FILE` over default. Validates
 * every setting strictly, freezes the result and hands it down. No other module reads
 * process.env (main passes it in).
 */
import { readFileSync } from 'node:fs';
import convict from 'convict';
import { ConfigError } from '../errors.js';
import { redactor } from '../log/redact.js';
import { SETTINGS, type Setting } from './settings.js';

export { parseArgs, type ParsedArgs } from './args.js';
export { describeConfig, helpText } from './describe.js';

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
    readonly socketTimeout: number;
  };
  readonly postgres: {
    readonly url: string;
    readonly connectionTimeout: number;
    readonly connectionDelay: number;
    readonly connectionAttempts: number;
    readonly statementTimeout: number;
  };
  readonly credentials: { readonly masterPassword: string };
  readonly convert: {
    readonly batchSize: number;
    readonly bulkReadSize: number;
    readonly bulkWriteSize: number;
    readonly workers: number;
    readonly bulkParallel: number;
    readonly bulkThreads: number;
    readonly dryRun: boolean;
    readonly skipExisting: boolean;
    readonly workDir: string;
    readonly skipIntegrityErrors: boolean;
    readonly since: Date | null;
    readonly verify: boolean;
    readonly stallTimeout: number;
    /** CATCHUP_LOOKBACK, milliseconds. */
    readonly catchUpLookback: number;
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

export interface LoadedConfig {
  config: Config;
  /** Where each setting's value came from, by key. */
  sources: ReadonlyMap<string, Source>;
}

interface Raw {
  raw: string;
  source: Source;
  /** For 'file': the path named by `<ENV>_FILE`. */
  path?: string;
}

/** How a problem names the setting: the way the operator set it. */
function origin(setting: Setting, raw: Raw): string {
  switch (raw.source) {
    case 'flag':
      return `flag --${setting.flag}`;
    case 'env':
      return `env ${setting.env}`;
    case 'file':
      return `${setting.env} (read from ${raw.path}, named by ${setting.env}_FILE)`;
    default:
      return `${setting.env} (default ${JSON.stringify(setting.default)})`;
  }
}

/** A mounted Secret's trailing newline is not part of the value. */
function readValueFile(setting: Setting, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${setting.env}_FILE: cannot read ${path} (${reason})`);
  }
}

function resolveRaw(setting: Setting, flags: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): Raw {
  const fromFlag = flags.get(setting.flag);
  if (fromFlag !== undefined) return { raw: fromFlag, source: 'flag' };
  const fromEnv = env[setting.env];
  const path = env[`${setting.env}_FILE`];
  const hasEnv = fromEnv !== undefined && fromEnv !== '';
  const hasFile = path !== undefined && path !== '';
  if (hasEnv && hasFile) throw new ConfigError(`${setting.env} and ${setting.env}_FILE are both set; set only one`);
  if (hasEnv) return { raw: fromEnv, source: 'env' };
  if (hasFile) return { raw: readValueFile(setting, path), source: 'file', path };
  return { raw: setting.default, source: 'default' };
}

/**
 * The password inside a connection string, as written and URL-decoded, so a driver message that
 * quotes it alone is redacted too. A regex, not `new URL`: MongoDB seed lists (`h1:1,h2:2`) are
 * not WHATWG URLs.
 */
export function dsnPasswords(dsn: string): string[] {
  const text = dsn.trim();
  // As a parser reads it (up to the first @), and as the operator meant it (up to the last @): a
  // password that is not percent-encoded may itself hold @ : / (issue 13, D10).
  const candidates = [/^[a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:([^@/?#]+)@/i, /^[a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:(.+)@[^@]*$/i]
    .map((re) => re.exec(text)?.[1])
    .filter((raw): raw is string => raw !== undefined);
  const out = new Set<string>();
  for (const raw of candidates) {
    out.add(raw);
    try {
      out.add(decodeURIComponent(raw));
    } catch {
      // A malformed escape: the raw text is what could be echoed.
    }
    // Each piece a parser could quote on its own ("Pw:Sec" of "Mg@Pw:Sec/ret%Tango42").
    for (const piece of raw.split(/[@/?#]/)) if (piece.length >= 3) out.add(piece);
  }
  return [...out];
}

/** convict holds the schema (docs, env/arg names, sensitivity); values arrive already parsed. */
function convictSchema(): convict.Schema<Record<string, unknown>> {
  const schema: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const [group, name] = s.key.split('.') as [string, string];
    const node = (schema[group] ??= {}) as Record<string, unknown>;
    node[name] = { doc: s.doc, format: '*', default: null, env: s.env, arg: s.flag, sensitive: Boolean(s.secret) };
  }
  return schema as convict.Schema<Record<string, unknown>>;
}

/**
 * Builds the frozen configuration. All problems are reported together, one line each, naming
 * the setting, where its value came from and what is allowed. Secret values are never quoted,
 * and other values are quoted with any URL password masked.
 */
export function loadConfig(flags: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv, options: { requireConnections?: boolean } = {}): LoadedConfig {
  const requireConnections = options.requireConnections ?? true;
  const conf = convict(convictSchema(), { env: {}, args: [] });
  const problems: string[] = [];
  const sources = new Map<string, Source>();
  const secrets: string[] = [];

  for (const setting of SETTINGS) {
    let resolved: Raw;
    try {
      resolved = resolveRaw(setting, flags, env);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    sources.set(setting.key, resolved.source);
    if (setting.secret && resolved.raw !== '') secrets.push(resolved.raw, ...dsnPasswords(resolved.raw));
    if (resolved.raw.trim() === '' && setting.required) {
      if (resolved.source === 'file') problems.push(`${origin(setting, resolved)}: the file is empty`);
      else if (requireConnections) problems.push(`${setting.env} is required: set env ${setting.env}, ${setting.env}_FILE or flag --${setting.flag}`);
      conf.set(setting.key, '');
      continue;
    }
    try {
      conf.set(setting.key, setting.type.parse(resolved.raw));
    } catch (err) {
      const hide = redactor(setting.secret ? [resolved.raw] : []);
      const got = setting.secret ? '' : `, got ${hide.text(JSON.stringify(resolved.raw))}`;
      problems.push(`${origin(setting, resolved)}: ${hide.text((err as Error).message)}${got}`);
    }
  }
  if (problems.length > 0) {
    const message = problems.length === 1 ? `invalid configuration: ${problems[0]}` : `invalid configuration:\n  ${problems.join('\n  ')}`;
    throw new ConfigError(message, { context: { problems } });
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
