/**
 * The e2e Kubernetes rig in one place: the real control plane (test/harness/kube.ts), the process
 * kubelet stand-in, the pinned helm pointed at the control plane, and per-test namespaces under
 * the `restricted` Pod Security Standard with the chart's Secrets created as docs/deploy.md says.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CHART_DIR, exec, helmPath, type ExecResult } from '../chart/helm.js';
import { generateFixtures } from '../fixtures/generate.js';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { startControlPlane, type ControlPlane } from '../harness/kube.js';
import { KubeRest, type Obj } from '../harness/kube-rest.js';
import { startProcessKubelet, type ProcessKubelet } from '../stand-ins/process-kubelet.js';
import { withMongo } from './seed.js';

export interface KubeRig {
  cp: ControlPlane;
  api: KubeRest;
  kubelet: ProcessKubelet;
  helm(args: string[], timeoutMs?: number): Promise<ExecResult>;
  stop(): Promise<void>;
}

export async function startKubeRig(): Promise<KubeRig> {
  const cp = await startControlPlane();
  let kubelet: ProcessKubelet | undefined;
  const helmHome = await mkdtemp(join(tmpdir(), 'mongo2pg-helm-'));
  try {
    kubelet = await startProcessKubelet(cp);
    const env = {
      PATH: process.env.PATH ?? '',
      KUBECONFIG: cp.kubeconfig,
      // helm keeps its discovery cache under $HOME/.kube.
      HOME: helmHome,
      HELM_CONFIG_HOME: join(helmHome, 'config'),
      HELM_CACHE_HOME: join(helmHome, 'cache'),
      HELM_DATA_HOME: join(helmHome, 'data'),
    };
    const k = kubelet;
    return {
      cp,
      api: KubeRest.admin(cp),
      kubelet: k,
      helm: (args, timeoutMs = 300_000) => exec(helmPath(), args, { env, timeoutMs }),
      async stop() {
        await k.stop();
        await cp.stop();
        await rm(helmHome, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await kubelet?.stop();
    await cp.stop();
    await rm(helmHome, { recursive: true, force: true });
    throw error;
  }
}

let namespaces = 0;

/** A fresh namespace enforcing the `restricted` Pod Security Standard. */
export async function testNamespace(api: KubeRest, label: string): Promise<string> {
  const name = `${label.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 40)}-${process.pid}-${++namespaces}`;
  await api.ok('POST', '/api/v1/namespaces', {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
  });
  return name;
}

export async function createSecret(api: KubeRest, namespace: string, name: string, data: Record<string, string>): Promise<void> {
  await api.ok('POST', `/api/v1/namespaces/${namespace}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', stringData: data });
}

const DOCUMENTED_SECRETS = ['testkube-mongo-dsn', 'testkube-postgres-dsn', 'testkube-credentials-master-password'];

/** The Secrets of docs/deploy.md ("Secrets") and the values that reference them. */
export async function createDocumentedSecrets(api: KubeRest, namespace: string, s: { mongoDsn: string; postgresUrl: string; masterPassword: string }): Promise<Obj> {
  await createSecret(api, namespace, 'testkube-mongo-dsn', { MONGO_DSN: s.mongoDsn });
  await createSecret(api, namespace, 'testkube-postgres-dsn', { POSTGRES_DSN: s.postgresUrl });
  await createSecret(api, namespace, 'testkube-credentials-master-password', { password: s.masterPassword });
  return {
    mongo: { dsn: { secretKeyRef: { name: 'testkube-mongo-dsn', key: 'MONGO_DSN' } } },
    postgres: { url: { secretKeyRef: { name: 'testkube-postgres-dsn', key: 'POSTGRES_DSN' } } },
    credentials: { masterPassword: { secretKeyRef: { name: 'testkube-credentials-master-password', key: 'password' } } },
  };
}

/** Writes values to a temp file for `helm -f`; returns its path and a cleanup. */
export async function valuesFile(values: Obj): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mongo2pg-values-'));
  const path = join(dir, 'values.json');
  await writeFile(path, JSON.stringify(values));
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `helm upgrade --install <release> chart -n <ns> -f <values>` plus extra flags. */
export async function helmUpgrade(rig: KubeRig, release: string, namespace: string, values: Obj, extra: string[] = []): Promise<ExecResult> {
  const file = await valuesFile(values);
  try {
    return await rig.helm(['upgrade', '--install', release, CHART_DIR, '-n', namespace, '-f', file.path, ...extra], 600_000);
  } finally {
    await file.cleanup();
  }
}

/** The Helm release's status as Helm stored it (the `status` label of its newest release Secret). */
export async function releaseStatus(api: KubeRest, namespace: string, release: string): Promise<{ version: number; status: string } | undefined> {
  const list = await api.get<{ items: Obj[] }>(`/api/v1/namespaces/${namespace}/secrets?labelSelector=${encodeURIComponent(`owner=helm,name=${release}`)}`);
  const newest = list.items.map((s) => ({ version: Number(s.metadata.labels.version), status: String(s.metadata.labels.status) })).sort((a, b) => b.version - a.version)[0];
  return newest;
}

/** Names of the objects of `kind` (a namespaced collection path like `serviceaccounts`) in a namespace. */
export async function names(api: KubeRest, namespace: string, collection: string, group = '/api/v1'): Promise<string[]> {
  const list = await api.get<{ items: Obj[] }>(`${group}/namespaces/${namespace}/${collection}`);
  return list.items.map((i) => i.metadata.name as string).sort();
}

/** The chart's objects left in a namespace: Jobs, ServiceAccounts (but `default`), Roles, RoleBindings, chart Secrets. */
export async function chartObjects(api: KubeRest, namespace: string): Promise<Record<string, string[]>> {
  return {
    jobs: await names(api, namespace, 'jobs', '/apis/batch/v1'),
    serviceAccounts: (await names(api, namespace, 'serviceaccounts')).filter((n) => n !== 'default'),
    roles: await names(api, namespace, 'roles', '/apis/rbac.authorization.k8s.io/v1'),
    roleBindings: await names(api, namespace, 'rolebindings', '/apis/rbac.authorization.k8s.io/v1'),
    secrets: (await names(api, namespace, 'secrets')).filter((n) => !n.startsWith('sh.helm.release.') && !DOCUMENTED_SECRETS.includes(n)),
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The Job's condition of `type` with status True, if any. */
export function jobCondition(job: Obj | undefined, type: 'Complete' | 'Failed'): Obj | undefined {
  return ((job?.status?.conditions ?? []) as Obj[]).find((c) => c.type === type && c.status === 'True');
}

/**
 * Digest of every table of the target (row order ignored): equal digests mean not a byte of the
 * migrated data changed. With `comparableAcrossRuns`, columns a run fills on its own (DEFAULT
 * now(), credential envelopes encrypted with fresh salt and nonce) and the tool's own bookkeeping
 * are left out, so two runs of the same source can be compared (as e2e/migrate-generated.test.ts).
 */
export async function tableDigests(url: string, options: { comparableAcrossRuns?: boolean } = {}): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: cols } = await client.query<{ schema: string; table: string; column: string; dflt: string | null }>(
      `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column, c.column_default AS dflt
         FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1, 2, c.ordinal_position`,
    );
    const byTable = new Map<string, string[]>();
    for (const c of cols) {
      const key = `${c.schema}.${c.table}`;
      if (options.comparableAcrossRuns) {
        if (c.schema !== 'public' || c.table === 'goose_db_version') continue;
        if ((c.dflt ?? '').startsWith('now()') || (c.table === 'credentials' && c.column === 'secret_envelope')) continue;
      }
      byTable.set(key, [...(byTable.get(key) ?? []), pg.escapeIdentifier(c.column)]);
    }
    const out: Record<string, string> = {};
    for (const [key, columns] of byTable) {
      const [schema, table] = key.split('.') as [string, string];
      const { rows } = await client.query(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(r, '|' ORDER BY r), '')) AS d FROM (SELECT ROW(${columns.join(', ')})::text AS r FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}) x`,
      );
      out[key] = `${rows[0].n}:${rows[0].d}`;
    }
    return out;
  } finally {
    await client.end();
  }
}

const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

/** A suspended Job (no Pod is ever made for it) carrying a Helm hook annotation, as the chart's is. */
export async function createSuspendedJob(api: KubeRest, namespace: string, name: string): Promise<void> {
  await api.ok('POST', `/apis/batch/v1/namespaces/${namespace}/jobs`, {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, annotations: { 'helm.sh/hook': 'post-upgrade' } },
    spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'mongo2pg', securityContext: RESTRICTED_CONTAINER }] } } },
  });
}

/**
 * The chart's identity for a Job, made directly: a ServiceAccount and a Role allowing get/patch on
 * that one Job (chart/templates/_rbac.tpl), bound to it. Returns the account name.
 */
export async function createJobIdentity(api: KubeRest, namespace: string, jobName: string): Promise<string> {
  const sa = `${jobName}-sa`;
  await api.ok('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa } });
  await api.ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: sa },
    rules: [{ apiGroups: ['batch'], resources: ['jobs'], resourceNames: [jobName], verbs: ['get', 'patch'] }],
  });
  await api.ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: sa },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
  });
  return sa;
}

/**
 * A service-account directory as a pod sees it (token, ca.crt, namespace), the token issued by
 * the real server's TokenRequest API for `serviceAccount`.
 */
export async function serviceAccountDir(api: KubeRest, caFile: string, namespace: string, serviceAccount: string, dir: string): Promise<string> {
  const res = await api.ok('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
  });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'token'), String(res.status.token));
  await copyFile(caFile, join(dir, 'ca.crt'));
  await writeFile(join(dir, 'namespace'), namespace);
  return dir;
}

/** New throwaway databases: a small generated control plane in the source (credentials included, so the master password is really checked) and an empty target. */
export async function smallControlPlane(label: string, seed: number, usageRecords: number): Promise<TestDatabases> {
  const db = await createTestDatabases(label);
  await withMongo(db.mongoUrl, db.mongoDb, (source) =>
    generateFixtures(source, {
      seed, orgs: 2, envsPerOrg: 1, usersPerOrg: 2, agentsPerOrg: 1, workflowsPerEnv: 1, executionsPerEnv: 3, recordsPerScope: 2,
      aiSessionsPerOrg: 1, toolCallsPerSession: 1, paymentsPerOrg: 1, usageRecords, auditEvents: 50, applicationAuditEvents: 50,
      events: 50, reportingData: 50, messiness: 0,
    }),
  );
  return db;
}
