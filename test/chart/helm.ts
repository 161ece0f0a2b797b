// Renders the chart with the real, pinned helm binary and parses the output, for the e2e chart
// tests. helm comes from MONGO2PG_HELM (exported by the test runner), else the directory
// scripts/install-tools.sh builds it into.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHART_DIR = join(REPO_ROOT, 'chart');

export function helmPath(): string {
  const path = process.env.MONGO2PG_HELM || join(process.env.MONGO2PG_TOOLS_DIR || join(homedir(), '.cache', 'mongo2pg', 'bin'), 'helm');
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`helm not found at ${path}: run scripts/install-tools.sh helm (npm test runs it first) or set MONGO2PG_HELM`);
  }
  return path;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and returns its exit code and output; never rejects on a non-zero exit. */
export function exec(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stderr}`, { cause: error }));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** A Kubernetes object as rendered; tests navigate it with the accessors below. */
export type Manifest = Record<string, unknown> & { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } };

export interface RenderOptions {
  /** Values as an object (written to a temp file, JSON being YAML). */
  values?: unknown;
  /** Values files, relative to the repo root or absolute. */
  valuesFiles?: readonly string[];
  release?: string;
  namespace?: string;
  chartDir?: string;
  /** --show-only templates/... */
  showOnly?: string;
}

async function helmTemplateArgs(options: RenderOptions, tempDir: string): Promise<string[]> {
  const args = ['template', options.release ?? 'rel', options.chartDir ?? CHART_DIR, '--namespace', options.namespace ?? 'migrations'];
  for (const file of options.valuesFiles ?? []) args.push('--values', file);
  if (options.values !== undefined) {
    const file = join(tempDir, 'values.json');
    await writeFile(file, JSON.stringify(options.values));
    args.push('--values', file);
  }
  if (options.showOnly) args.push('--show-only', options.showOnly);
  return args;
}

/** `helm template` as it is; the caller inspects code and output. */
export async function helmTemplate(options: RenderOptions = {}): Promise<ExecResult> {
  const tempDir = await mkdtemp(join(tmpdir(), 'mongo2pg-chart-'));
  try {
    return await exec(helmPath(), await helmTemplateArgs(options, tempDir));
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

/** Renders and parses the multi-document output; fails with helm's message if rendering fails. */
export async function render(options: RenderOptions = {}): Promise<Manifest[]> {
  const result = await helmTemplate(options);
  if (result.code !== 0) throw new Error(`helm template failed (exit ${result.code}):\n${result.stderr}`);
  return parseManifests(result.stdout);
}

/** The rendered documents as they are (the hook is one v1 List, see chart/templates/hook.yaml). */
export function parseDocuments(text: string): Manifest[] {
  const docs = parseAllDocuments(text);
  const out: Manifest[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}\n${text}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value as Manifest);
  }
  return out;
}

/** The objects the API server gets: documents, with each v1 List replaced by its items (as Helm and kubectl do). */
export function parseManifests(text: string): Manifest[] {
  return parseDocuments(text).flatMap((d) => (d.kind === 'List' ? ((d as { items?: Manifest[] }).items ?? []) : [d]));
}

/** Renders and returns the documents without flattening Lists (for hook annotations). */
export async function renderDocuments(options: RenderOptions = {}): Promise<Manifest[]> {
  const result = await helmTemplate(options);
  if (result.code !== 0) throw new Error(`helm template failed (exit ${result.code}):\n${result.stderr}`);
  return parseDocuments(result.stdout);
}

export function only(docs: readonly Manifest[], kind: string): Manifest {
  const found = docs.filter((d) => d.kind === kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, got ${found.length}: ${docs.map((d) => `${d.kind}/${d.metadata.name}`).join(', ')}`);
  return found[0] as Manifest;
}

// --- Job accessors --------------------------------------------------------------------

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: unknown; configMapKeyRef?: unknown };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  securityContext?: Record<string, unknown>;
  resources?: Record<string, unknown>;
}

export interface PodSpec {
  containers: Container[];
  volumes?: Record<string, unknown>[];
  securityContext?: Record<string, unknown>;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  [key: string]: unknown;
}

export function jobSpec(job: Manifest): Record<string, unknown> & { template: { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec } } {
  return job.spec as never;
}

export function podSpec(job: Manifest): PodSpec {
  return jobSpec(job).template.spec;
}

export function container(job: Manifest): Container {
  const containers = podSpec(job).containers;
  if (containers.length !== 1) throw new Error(`expected one container, got ${containers.length}`);
  return containers[0] as Container;
}

/** The container's literal env values by name (valueFrom entries are left out). */
export function envValues(job: Manifest): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of container(job).env ?? []) {
    if (out.has(e.name)) throw new Error(`env ${e.name} is rendered twice`);
    if (e.value !== undefined) out.set(e.name, e.value);
  }
  return out;
}

export function envVar(job: Manifest, name: string): EnvVar | undefined {
  return (container(job).env ?? []).find((e) => e.name === name);
}

/** The chart's minimal enabled configuration (existing Secrets for the three secrets). */
export const ENABLED_VALUES_FILE = join(CHART_DIR, 'ci', 'enabled-values.yaml');
export const UMBRELLA_VALUES_FILE = join(CHART_DIR, 'ci', 'umbrella-values.yaml');
export const EXAMPLE_VALUES_FILE = join(REPO_ROOT, 'values.example.yaml');

/**
 * A throw-away copy of the chart, for renders that need files the chart does not have (a dashboard
 * JSON) or that must see templates the way `helm install` would (NOTES.txt). Returns its path and
 * a cleanup function.
 */
export async function copyChart(): Promise<{ dir: string; root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'mongo2pg-chart-copy-'));
  const dir = join(root, 'mongo2pg');
  await cp(CHART_DIR, dir, { recursive: true });
  return { dir, root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Renders NOTES.txt, which `helm template` leaves out and `helm install --dry-run` cannot render
 * without a cluster: a copy of the chart gets the file outside templates/ plus a ConfigMap
 * template that runs it through `tpl` with the same context.
 */
export async function renderNotes(options: Omit<RenderOptions, 'chartDir' | 'showOnly'> = {}): Promise<string> {
  const copy = await copyChart();
  try {
    await mkdir(join(copy.dir, 'notes-under-test'));
    await rename(join(copy.dir, 'templates', 'NOTES.txt'), join(copy.dir, 'notes-under-test', 'NOTES.txt'));
    await writeFile(
      join(copy.dir, 'templates', 'notes-under-test.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-under-test\ndata:\n  notes: {{ tpl (.Files.Get "notes-under-test/NOTES.txt") . | toJson }}\n',
    );
    const docs = await render({ ...options, chartDir: copy.dir, showOnly: 'templates/notes-under-test.yaml' });
    return (only(docs, 'ConfigMap').data as { notes: string }).notes;
  } finally {
    await copy.cleanup();
  }
}
