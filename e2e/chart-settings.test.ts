// The chart and the program agree on every setting: each non-secret setting of
// app/config/settings.ts is a value at the setting's own key and becomes its env var; the chart's
// defaults are the program's; and the env the chart renders is accepted by the built CLI
// (`node dist/main.js config`, run with exactly that env and the mounted secret files).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { SETTINGS, type Setting } from '../app/config/settings.js';
import { CHART_DIR, ENABLED_VALUES_FILE, EXAMPLE_VALUES_FILE, REPO_ROOT, UMBRELLA_VALUES_FILE, container, exec, helmTemplate, only, render, type Manifest } from '../test/chart/helm.js';

/** Settings the chart sets without a value of their own, and how. */
const NOT_FROM_VALUES: Record<string, string> = {
  'progress.jobName': 'downward API: the pod label job-name (progress.annotateJob)',
  'progress.jobNamespace': 'downward API: metadata.namespace (progress.annotateJob)',
  'progress.kubeHost': 'set by the kubelet in every pod (KUBERNETES_SERVICE_HOST)',
  'progress.kubePort': 'set by the kubelet in every pod (KUBERNETES_SERVICE_PORT)',
};

/** Chart defaults that differ from the program's on purpose. */
const CHART_DEFAULT_DIFFERS: Record<string, string> = {
  LOG_FORMAT: 'json: the pod has no terminal; the program would pick json too (auto)',
  CONVERT_WORK_DIR: 'the mount path of the work volume (the root filesystem is read-only)',
  RELEASE_NAME: 'the Helm release name',
};

/** Settings where the chart's schema allows less than the program, and why. */
const CHART_STRICTER: Record<string, string> = {
  'convert.workDir': 'it is also the mount path of the work volume, so it must be absolute',
  'progress.kubeServiceAccountDir': 'a path inside the pod, so it must be absolute',
};

/** A valid, non-default value per non-secret setting, as typed in values.yaml. */
const SAMPLE: Record<string, string | number | boolean> = {
  'mongo.db': 'tk_enterprise',
  'mongo.minPoolSize': 3,
  'mongo.maxPoolSize': 77,
  'mongo.maxConnecting': 4,
  'mongo.readPreference': 'nearest',
  'mongo.connectionTimeout': '7s',
  'mongo.connectionDelay': '250ms',
  'mongo.connectionAttempts': 9,
  'mongo.socketTimeout': '2m30s',
  'postgres.connectionTimeout': '1m30s',
  'postgres.connectionDelay': '3s',
  'postgres.connectionAttempts': 11,
  'postgres.statementTimeout': '3h',
  'convert.batchSize': 2500,
  'convert.bulkReadSize': 25000,
  // Above 1e6: helm holds numbers as float64 and would print 2e+06 without care.
  'convert.bulkWriteSize': 2_000_000,
  'convert.workers': 12,
  'convert.bulkParallel': 4,
  'convert.bulkThreads': 3,
  'convert.dryRun': true,
  'convert.skipExisting': true,
  'convert.workDir': '/data/reports',
  'convert.skipIntegrityErrors': true,
  'convert.since': '2026-01-01',
  'convert.verify': false,
  'convert.stallTimeout': '15m',
  'convert.catchUpLookback': '2h',
  'progress.logFormat': 'text',
  'progress.logLevel': 'debug',
  'progress.interval': '45s',
  'progress.pushgatewayUrl': 'http://pushgateway.monitoring:9091',
  'progress.pushInterval': '20s',
  'progress.release': 'blue',
  'progress.annotationInterval': '30s',
  'progress.kubeServiceAccountDir': '/var/run/secrets/tokens/mongo2pg',
};

const SECRET_FILE_CONTENT: Record<string, string> = {
  API_MONGO_DSN: 'mongodb://migrator:m0ngo-pw@mongo-0.mongo:27017/?replicaSet=rs0\n',
  API_POSTGRES_URL: 'postgres://migrator:pg-pw@pg.db:5432/testkube?sslmode=require\n',
  CREDENTIALS_MASTER_PASSWORD: 'the-master-password-of-at-least-32-chars\n',
};

const NAMESPACE = 'testkube';
const RELEASE = 'tk';
const CLI = join(REPO_ROOT, 'dist', 'main.js');

const secretSettings = SETTINGS.filter((s) => s.secret);
const valueSettings = SETTINGS.filter((s) => !s.secret && !(s.key in NOT_FROM_VALUES));

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts.at(-1) as string] = value;
}

function getAt(source: unknown, path: string): unknown {
  let node = source;
  for (const part of path.split('.')) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

interface ConfigLine {
  shown: string;
  source: string;
}

/** Parses `ENV=value  # key, from <source>` lines. */
function parseConfigOutput(stdout: string): Map<string, ConfigLine> {
  const out = new Map<string, ConfigLine>();
  for (const line of stdout.trim().split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*?) {2}# [\w.]+, from (\S+)$/.exec(line);
    assert.ok(match, `unexpected config line: ${line}`);
    out.set(match[1] as string, { shown: match[2] as string, source: match[3] as string });
  }
  return out;
}

/**
 * The env the kubelet would give the container: literal values as rendered, downward-API fields
 * resolved, and `_FILE` paths moved from the mount path to files in `dir` holding the secrets.
 */
async function containerEnv(job: Manifest, dir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const e of container(job).env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = e.value;
    } else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.labels['job-name']") {
      env[e.name] = job.metadata.name; // the Job controller labels its pods job-name=<Job name>
    } else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') {
      env[e.name] = job.metadata.namespace as string;
    } else {
      assert.fail(`env ${e.name}: no stand-in for ${JSON.stringify(e.valueFrom)}`);
    }
  }
  for (const setting of secretSettings) {
    const fileEnv = `${setting.env}_FILE`;
    const mounted = env[fileEnv];
    assert.ok(mounted, `${fileEnv} is rendered`);
    const local = join(dir, basename(mounted));
    await writeFile(local, SECRET_FILE_CONTENT[setting.env] as string, { mode: 0o400 });
    env[fileEnv] = local;
  }
  return env;
}

/** `mongo2pg config` with exactly this env (nothing inherited from the test process). */
async function runConfig(env: Record<string, string>): Promise<Map<string, ConfigLine>> {
  const result = await exec(process.execPath, [CLI, 'config'], { env });
  assert.equal(result.code, 0, `mongo2pg config refused the chart's env:\n${result.stderr}`);
  for (const content of Object.values(SECRET_FILE_CONTENT)) {
    assert.ok(!`${result.stdout}${result.stderr}`.includes(content.trim()), 'config output must not show a secret');
  }
  return parseConfigOutput(result.stdout);
}

describe('chart and program agree on the settings', () => {
  let tempDir = '';
  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: build first (npx tsc -p tsconfig.build.json; npm test does it)`);
    tempDir = await mkdtemp(join(tmpdir(), 'mongo2pg-chart-env-'));
  });
  after(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  it('has a test value for every setting taken from values (add one here and a row in chart/templates/_settings.tpl)', () => {
    const missing = valueSettings.filter((s) => !(s.key in SAMPLE)).map((s) => `${s.key} (${s.env})`);
    assert.deepEqual(missing, []);
  });

  it('documents every setting in values.yaml at the setting\'s key', () => {
    const values: unknown = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'));
    for (const s of valueSettings) assert.notEqual(getAt(values, s.key), undefined, `values.yaml has no ${s.key} (${s.env})`);
    for (const s of secretSettings) {
      assert.deepEqual(getAt(values, s.key), { secretKeyRef: { name: '', key: '' }, value: '' }, `values.yaml ${s.key} is a secret reference`);
    }
  });

  it('sets every non-secret setting from its value', async () => {
    const values: Record<string, unknown> = {};
    for (const s of valueSettings) setAt(values, s.key, SAMPLE[s.key]);
    const job = only(await render({ valuesFiles: [ENABLED_VALUES_FILE], values }), 'Job');
    const env = new Map((container(job).env ?? []).map((e) => [e.name, e]));
    for (const s of valueSettings) {
      assert.equal(env.get(s.env)?.value, String(SAMPLE[s.key]), `${s.key} -> ${s.env}`);
    }
  });

  it('renders only env vars the program knows', async () => {
    const known = new Set([...SETTINGS.map((s) => s.env), ...secretSettings.map((s) => `${s.env}_FILE`)]);
    for (const file of [ENABLED_VALUES_FILE, EXAMPLE_VALUES_FILE, UMBRELLA_VALUES_FILE]) {
      const job = only(await render({ valuesFiles: [file], values: { extraEnv: [] } }), 'Job');
      const unknown = (container(job).env ?? []).map((e) => e.name).filter((n) => !known.has(n));
      assert.deepEqual(unknown, [], `${basename(file)} renders env vars the program does not read`);
    }
  });

  it('defaults every setting to the program\'s default, or leaves it to the program', async () => {
    const job = only(await render({ valuesFiles: [ENABLED_VALUES_FILE], release: RELEASE, namespace: NAMESPACE }), 'Job');
    const chart = await runConfig(await containerEnv(job, await mkdtemp(join(tempDir, 'defaults-'))));
    const program = await runConfig({});
    for (const s of valueSettings) {
      if (s.env in CHART_DEFAULT_DIFFERS) continue;
      assert.equal(chart.get(s.env)?.shown, program.get(s.env)?.shown, `${s.env}: the chart's default differs from the program's`);
    }
  });

  it('renders an env that `mongo2pg config` accepts: every value set, secrets read from the mounted files', async () => {
    const values: Record<string, unknown> = {};
    const reference: Record<string, string> = {};
    for (const s of valueSettings) {
      setAt(values, s.key, SAMPLE[s.key]);
      reference[s.env] = String(SAMPLE[s.key]);
    }
    const job = only(await render({ valuesFiles: [ENABLED_VALUES_FILE], values, release: RELEASE, namespace: NAMESPACE }), 'Job');
    const config = await runConfig(await containerEnv(job, await mkdtemp(join(tempDir, 'all-'))));
    // The same values given to the program directly, as the operator would type them.
    const expected = await runConfig(reference);
    for (const s of valueSettings) {
      assert.deepEqual(config.get(s.env), { shown: expected.get(s.env)?.shown, source: 'env' }, s.env);
    }
    assertSecretsFromFiles(config);
    assert.deepEqual(config.get('JOB_NAME'), { shown: job.metadata.name, source: 'env' });
    assert.deepEqual(config.get('JOB_NAMESPACE'), { shown: NAMESPACE, source: 'env' });
  });

  for (const [name, file] of [
    ['the default values', ENABLED_VALUES_FILE],
    ['values.example.yaml', EXAMPLE_VALUES_FILE],
    ['the umbrella layout', UMBRELLA_VALUES_FILE],
  ] as const) {
    it(`renders an env that \`mongo2pg config\` accepts with ${name}`, async () => {
      const job = only(await render({ valuesFiles: [file], release: RELEASE, namespace: NAMESPACE }), 'Job');
      const config = await runConfig(await containerEnv(job, await mkdtemp(join(tempDir, 'file-'))));
      assertSecretsFromFiles(config);
      assert.equal(config.get('RELEASE_NAME')?.shown, RELEASE);
    });
  }

  it('validates values as the program does: each setting\'s example passes the schema, its counterexample does not', async (t) => {
    const typed = valueSettings.flatMap((s) => {
      const type = valueType(s);
      return type?.example === undefined ? [] : [{ s, type }];
    });
    if (typed.length === 0) {
      t.skip('the settings carry no example values');
      return;
    }
    const examples: Record<string, unknown> = {};
    for (const { s, type } of typed) if (!(s.key in CHART_STRICTER)) setAt(examples, s.key, asValue(type.kind, type.example as string));
    const good = await helmTemplate({ valuesFiles: [ENABLED_VALUES_FILE], values: examples });
    assert.equal(good.code, 0, `the program accepts these examples, the chart does not: ${JSON.stringify(examples)}\n${good.stderr}`);
    await Promise.all(
      typed.map(async ({ s, type }) => {
        if (type.counterexample === undefined) return;
        const bad = await helmTemplate({ valuesFiles: [ENABLED_VALUES_FILE], values: valuesWith(s.key, asValue(type.kind, type.counterexample)) });
        assert.notEqual(bad.code, 0, `${s.key}: the program refuses ${JSON.stringify(type.counterexample)}, the chart's schema accepts it`);
      }),
    );
  });
});

function assertSecretsFromFiles(config: Map<string, ConfigLine>): void {
  for (const s of secretSettings) {
    const line = config.get(s.env);
    assert.ok(line && line.shown !== '(unset)', `${s.env} is set`);
    assert.match(line.source, /file|_FILE/, `${s.env} comes from its mounted file`);
  }
}

/** The value-type metadata a setting may carry (kind, example, counterexample); read loosely. */
function valueType(s: Setting): { kind: string; example?: string; counterexample?: string } | undefined {
  const type = (s as unknown as { type?: { kind?: unknown; example?: unknown; counterexample?: unknown } }).type;
  if (!type || typeof type.kind !== 'string') return undefined;
  return {
    kind: type.kind,
    ...(typeof type.example === 'string' ? { example: type.example } : {}),
    ...(typeof type.counterexample === 'string' ? { counterexample: type.counterexample } : {}),
  };
}

/** A raw setting text as the YAML value an operator would write for it. */
function asValue(kind: string, raw: string): unknown {
  if (kind === 'integer' && /^-?\d+$/.test(raw)) return Number(raw);
  if (kind === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function valuesWith(key: string, value: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  setAt(values, key, value);
  return values;
}
