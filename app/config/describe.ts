/** Human-facing views of the settings: `--help` and `mongo2pg config`. */
import { redactor } from '../log/redact.js';
import type { Config, LoadedConfig } from './load.js';
import { SETTINGS, type Group, type Setting } from './settings.js';

const GROUP_TITLES: Record<Group, string> = { connection: 'Connection', tuning: 'Migration tuning', progress: 'Progress and logging' };

/**
 * A connection string with everything secret-bearing removed: the user info and the query
 * (options like `password=` or `tlsCertificateKeyFilePassword=`) become [redacted]; scheme,
 * hosts and database stay, so the operator can see where the tool will connect.
 */
export function redactDsn(dsn: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^/?#]*@)?([^/?#]*)([^?#]*)(\?[^#]*)?/i.exec(dsn.trim());
  if (!match) return '[redacted]';
  const [, scheme, hosts, path, query] = match as unknown as [string, string, string, string, string | undefined];
  const hadUser = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(dsn.trim());
  return `${scheme}${hadUser ? '[redacted]@' : ''}${hosts}${path}${query ? '?[redacted]' : ''}`;
}

/** Milliseconds in the Go form the settings take: 90000 → 1m30s, 500 → 500ms. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

function valueOf(config: Config, setting: Setting): unknown {
  const [group, name] = setting.key.split('.') as [string, string];
  return (config as unknown as Record<string, Record<string, unknown>>)[group]?.[name];
}

function show(setting: Setting, value: unknown): string {
  // A required setting left unset would stop every command but `config`: say so here.
  if (value === null || value === '' || value === undefined) return setting.required ? '(unset — required)' : '(unset)';
  if (setting.secret) return setting.type.kind === 'url' && typeof value === 'string' ? redactDsn(value) : '[redacted]';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (setting.type.kind === 'duration' && typeof value === 'number') return formatDuration(value);
  // A non-secret URL (e.g. the Pushgateway) may still carry basic-auth credentials.
  return redactor([]).text(String(value));
}

/** The effective configuration, one `ENV=value` line per setting, with where it came from. */
export function describeConfig(loaded: LoadedConfig): string[] {
  return SETTINGS.map((s) => {
    const source = loaded.sources.get(s.key) ?? 'default';
    const from = source === 'file' ? `${s.env}_FILE` : source === 'flag' ? `--${s.flag}` : source;
    return `${s.env}=${show(s, valueOf(loaded.config, s))}  # ${s.key}, from ${from}`;
  });
}

/** `--help`: every setting with flag, env var, allowed form, default and description. */
export function helpText(): string {
  const lines = [
    'mongo2pg: moves a MongoDB application database into PostgreSQL.',
    '',
    'Usage: mongo2pg [command] [flags]',
    '',
    'Commands:',
    '  migrate     pre-flight, schema, record-level phase, bulk phase, verification (default)',
    '  catch-up    at cutover, after a pre-copy migrate: bring the target level with the source (docs/cutover.md)',
    '  preflight   run the pre-flight gate only; writes nothing',
    '  verify      compare the target with the source',
    '  config      print the effective configuration, secrets redacted',
    '',
    'Every setting is an env var and a flag (--name value, --name=value or -name value); the flag',
    'wins over the env var. Any setting may instead be read from the file named by <ENV>_FILE',
    '(a mounted Kubernetes Secret; one trailing newline is ignored). Durations are Go-style',
    '(500ms, 5s, 1m30s), booleans true|false, dates YYYY-MM-DD.',
  ];
  for (const [group, title] of Object.entries(GROUP_TITLES)) {
    lines.push('', `${title}:`);
    for (const s of SETTINGS.filter((x) => x.group === group)) {
      const def = s.default === '' ? (s.required ? '(required)' : '(unset)') : s.default;
      lines.push(`  --${s.flag} <${s.type.form}>`, `      env ${s.env}${s.secret ? ` or ${s.env}_FILE (secret)` : ''}; default: ${def}`, `      ${s.doc}`);
    }
  }
  lines.push(
    '',
    'Exit codes: 0 success, 1 unexpected error, 2 invalid configuration, 3 pre-flight gate refused',
    '(nothing written), 4 migration failed, 5 verification failed, 130 interrupted.',
  );
  return lines.join('\n');
}
