// The Helm chart as `helm template` (the real, pinned helm) renders it: nothing unless enabled; a
// hook Job with least-privilege RBAC, secrets mounted as files, a restricted security context and
// the configured settings; the umbrella-chart layout; the dashboard ConfigMap; NOTES.txt.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CHART_DIR,
  ENABLED_VALUES_FILE,
  EXAMPLE_VALUES_FILE,
  UMBRELLA_VALUES_FILE,
  container,
  copyChart,
  envValues,
  envVar,
  helmTemplate,
  jobSpec,
  only,
  podSpec,
  render,
  renderDocuments,
  renderNotes,
  type Manifest,
} from '../test/chart/helm.js';

const HOOK = 'helm.sh/hook';
const WEIGHT = 'helm.sh/hook-weight';
const DELETE_POLICY = 'helm.sh/hook-delete-policy';

const SECRET_REFS = {
  mongoToPostgresMigration: { enabled: true },
  mongo: { dsn: { secretKeyRef: { name: 'src', key: 'dsn' } } },
  postgres: { url: { secretKeyRef: { name: 'dst', key: 'url' } } },
  credentials: { masterPassword: { secretKeyRef: { name: 'creds', key: 'master' } } },
};

const INLINE_DSN = 'mongodb://migrator:s3cr3t-mongo@mongo-0.mongo:27017/?replicaSet=rs0';
const INLINE_URL = 'postgres://migrator:s3cr3t-pg@pg:5432/testkube?sslmode=require';
const INLINE_PASSWORD = 'inline-master-password-0123456789abcdef';

interface ProjectedSource {
  secret: { name: string; items: { key: string; path: string }[] };
}

function volume(job: Manifest, name: string): Record<string, unknown> {
  const found = (podSpec(job).volumes ?? []).find((v) => v.name === name);
  assert.ok(found, `volume ${name}`);
  return found;
}

function secretSources(job: Manifest): { name: string; key: string; path: string }[] {
  const projected = volume(job, 'secrets').projected as { sources: ProjectedSource[] };
  return projected.sources.map((s) => {
    assert.equal(s.secret.items.length, 1);
    const item = s.secret.items[0] as { key: string; path: string };
    return { name: s.secret.name, key: item.key, path: item.path };
  });
}

describe('chart: disabled by default', () => {
  it('renders nothing with the default values', async () => {
    assert.deepEqual(await render(), []);
  });

  it('renders nothing when switched off, even with every secret configured', async () => {
    const docs = await render({ valuesFiles: [ENABLED_VALUES_FILE, EXAMPLE_VALUES_FILE], values: { mongoToPostgresMigration: { enabled: false }, dashboard: { enabled: false } } });
    assert.deepEqual(docs, []);
  });
});

/** The one hook document: a v1 List holding the Job and what it needs (chart/templates/hook.yaml). */
function hookList(docs: readonly Manifest[]): Manifest & { items: Manifest[] } {
  const hooks = docs.filter((d) => d.metadata.annotations?.[HOOK] !== undefined);
  assert.equal(hooks.length, 1, `one hook document, got ${hooks.map((d) => d.kind).join(', ')}`);
  const list = hooks[0] as Manifest & { items: Manifest[] };
  assert.equal(list.apiVersion, 'v1');
  assert.equal(list.kind, 'List');
  return list;
}

describe('chart: the Job is a Helm hook', () => {
  it('runs post-install and post-upgrade, keeps a failed Job for its logs', async () => {
    const list = hookList(await renderDocuments({ valuesFiles: [ENABLED_VALUES_FILE] }));
    assert.equal(list.metadata.annotations?.[HOOK], 'post-install,post-upgrade');
    assert.equal(list.metadata.annotations?.[DELETE_POLICY], 'before-hook-creation,hook-succeeded');
    assert.equal(list.metadata.annotations?.[WEIGHT], '10');
    const job = only(list.items, 'Job');
    assert.equal(job.apiVersion, 'batch/v1');
    assert.equal(podSpec(job).restartPolicy, 'Never');
    assert.deepEqual(container(job).args, ['migrate']);
  });

  it('renders the Job and everything it needs as one hook, created in dependency order', async () => {
    // Separate hooks would not do: Helm deletes the hooks that succeeded (hook-succeeded) when its
    // wait for a later one times out, under a Job that keeps running (docs/deploy.md).
    const docs = await renderDocuments({ values: { ...SECRET_REFS, credentials: { masterPassword: { value: INLINE_PASSWORD } } } });
    assert.equal(docs.length, 1, 'nothing outside the hook (nothing stays in the release)');
    const list = hookList(docs);
    assert.deepEqual(list.items.map((d) => d.kind), ['ServiceAccount', 'Secret', 'Role', 'RoleBinding', 'Job']);
    for (const item of list.items) assert.equal(item.metadata.annotations?.[HOOK], undefined, `${item.kind} is no hook of its own`);
  });

  it('takes hook events, weight and delete policy from values', async () => {
    const list = hookList(await renderDocuments({
      valuesFiles: [ENABLED_VALUES_FILE],
      values: { mongoToPostgresMigration: { hook: { events: ['pre-upgrade'], weight: -3, deletePolicy: ['before-hook-creation'] } } },
    }));
    assert.equal(list.metadata.annotations?.[HOOK], 'pre-upgrade');
    assert.equal(list.metadata.annotations?.[DELETE_POLICY], 'before-hook-creation');
    assert.equal(list.metadata.annotations?.[WEIGHT], '-3');
  });

  it('sets backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished and the pod failure policy', async () => {
    const defaults = jobSpec(only(await render({ valuesFiles: [ENABLED_VALUES_FILE] }), 'Job'));
    assert.equal(defaults.backoffLimit, 0);
    // Issue 13, D12: a Job never hangs forever by default.
    assert.equal(defaults.activeDeadlineSeconds, 172800);
    assert.equal(defaults.ttlSecondsAfterFinished, undefined);
    assert.deepEqual(defaults.podFailurePolicy, {
      rules: [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'migrate', operator: 'In', values: [2, 3, 5] } },
      ],
    });
    const set = jobSpec(
      only(await render({ valuesFiles: [ENABLED_VALUES_FILE], values: { job: { backoffLimit: 2, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 0, podFailurePolicy: { enabled: false } } } }), 'Job'),
    );
    assert.equal(set.backoffLimit, 2);
    assert.equal(set.activeDeadlineSeconds, 3600);
    assert.equal(set.ttlSecondsAfterFinished, 0);
    assert.equal(set.podFailurePolicy, undefined);
  });
});

describe('chart: RBAC and the downward API', () => {
  it('allows only get and patch on this one Job, for the Job\'s own ServiceAccount', async () => {
    const docs = await render({ valuesFiles: [ENABLED_VALUES_FILE], release: 'tk', namespace: 'testkube' });
    const job = only(docs, 'Job');
    const role = only(docs, 'Role');
    assert.deepEqual(role.rules, [{ apiGroups: ['batch'], resources: ['jobs'], resourceNames: [job.metadata.name], verbs: ['get', 'patch'] }]);
    const sa = only(docs, 'ServiceAccount');
    const binding = only(docs, 'RoleBinding');
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'testkube' }]);
    assert.equal(podSpec(job).serviceAccountName, sa.metadata.name);
    assert.equal(podSpec(job).automountServiceAccountToken, true);
    assert.equal(sa.automountServiceAccountToken, false, 'only this pod opts in to the token');
    for (const doc of docs) assert.equal(doc.metadata.namespace, 'testkube', doc.kind);
  });

  it('gives the program the Job name and namespace from the downward API', async () => {
    const job = only(await render({ valuesFiles: [ENABLED_VALUES_FILE] }), 'Job');
    assert.deepEqual(envVar(job, 'JOB_NAME')?.valueFrom, { fieldRef: { fieldPath: "metadata.labels['job-name']" } });
    assert.deepEqual(envVar(job, 'JOB_NAMESPACE')?.valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } });
  });

  it('without progress.annotateJob: no Role, no token, no JOB_NAME', async () => {
    const docs = await render({ valuesFiles: [ENABLED_VALUES_FILE], values: { progress: { annotateJob: false } } });
    assert.deepEqual(docs.map((d) => d.kind).sort(), ['Job', 'ServiceAccount']);
    const job = only(docs, 'Job');
    assert.equal(podSpec(job).automountServiceAccountToken, false);
    assert.equal(envVar(job, 'JOB_NAME'), undefined);
    assert.equal(envVar(job, 'JOB_NAMESPACE'), undefined);
  });

  it('never binds the Role to an account other pods share: serviceAccount.create=false needs a name other than default', async () => {
    for (const serviceAccount of [{ create: false }, { create: false, name: 'default' }]) {
      const result = await helmTemplate({ valuesFiles: [ENABLED_VALUES_FILE], values: { serviceAccount } });
      assert.notEqual(result.code, 0, JSON.stringify(serviceAccount));
      assert.match(result.stderr, /set serviceAccount\.name to an existing ServiceAccount used by this Job only/);
    }
    const docs = await render({ valuesFiles: [ENABLED_VALUES_FILE], values: { serviceAccount: { create: false, name: 'migrator' } } });
    assert.deepEqual(docs.map((d) => d.kind), ['Role', 'RoleBinding', 'Job']);
    assert.deepEqual(only(docs, 'RoleBinding').subjects, [{ kind: 'ServiceAccount', name: 'migrator', namespace: 'migrations' }]);
    // Without annotations there is no Role to bind; the pod gets no token.
    const off = await render({ valuesFiles: [ENABLED_VALUES_FILE], values: { serviceAccount: { create: false }, progress: { annotateJob: false } } });
    assert.deepEqual(off.map((d) => d.kind), ['Job']);
    assert.equal(podSpec(only(off, 'Job')).automountServiceAccountToken, false);
  });

  it('uses an existing ServiceAccount when asked, and leaves RBAC to the operator with rbac.create=false', async () => {
    const docs = await render({ valuesFiles: [ENABLED_VALUES_FILE], values: { serviceAccount: { create: false, name: 'migrator' }, rbac: { create: false } } });
    assert.deepEqual(docs.map((d) => d.kind), ['Job']);
    assert.equal(podSpec(only(docs, 'Job')).serviceAccountName, 'migrator');
  });
});

describe('chart: secrets are files, never values in the Job', () => {
  it('mounts existing Secrets by name and key and points <ENV>_FILE at them', async () => {
    const docs = await render({ values: SECRET_REFS });
    const job = only(docs, 'Job');
    assert.equal(docs.filter((d) => d.kind === 'Secret').length, 0, 'no chart-owned Secret without inline values');
    assert.deepEqual(secretSources(job), [
      { name: 'src', key: 'dsn', path: 'mongo-dsn' },
      { name: 'dst', key: 'url', path: 'postgres-url' },
      { name: 'creds', key: 'master', path: 'credentials-master-password' },
    ]);
    const mount = container(job).volumeMounts?.find((m) => m.name === 'secrets');
    assert.deepEqual(mount, { name: 'secrets', mountPath: '/var/run/secrets/mongo2pg', readOnly: true });
    const env = envValues(job);
    assert.equal(env.get('API_MONGO_DSN_FILE'), '/var/run/secrets/mongo2pg/mongo-dsn');
    assert.equal(env.get('API_POSTGRES_URL_FILE'), '/var/run/secrets/mongo2pg/postgres-url');
    assert.equal(env.get('CREDENTIALS_MASTER_PASSWORD_FILE'), '/var/run/secrets/mongo2pg/credentials-master-password');
    for (const name of ['API_MONGO_DSN', 'API_POSTGRES_URL', 'CREDENTIALS_MASTER_PASSWORD']) assert.equal(envVar(job, name), undefined, name);
    assert.ok((container(job).env ?? []).every((e) => e.valueFrom?.secretKeyRef === undefined), 'no secretKeyRef env either');
  });

  it('puts inline values into a chart-owned Secret and mounts it the same way', async () => {
    const docs = await render({
      values: {
        mongoToPostgresMigration: { enabled: true },
        mongo: { dsn: { value: INLINE_DSN } },
        postgres: { url: { value: INLINE_URL } },
        credentials: { masterPassword: { secretKeyRef: { name: 'creds', key: 'master' } } },
        secretsMountPath: '/secrets',
      },
    });
    const job = only(docs, 'Job');
    const secret = only(docs, 'Secret');
    const data = secret.data as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), ['mongo-dsn', 'postgres-url']);
    assert.equal(Buffer.from(data['mongo-dsn'] as string, 'base64').toString(), INLINE_DSN);
    assert.equal(Buffer.from(data['postgres-url'] as string, 'base64').toString(), INLINE_URL);
    assert.deepEqual(secretSources(job), [
      { name: secret.metadata.name, key: 'mongo-dsn', path: 'mongo-dsn' },
      { name: secret.metadata.name, key: 'postgres-url', path: 'postgres-url' },
      { name: 'creds', key: 'master', path: 'credentials-master-password' },
    ]);
    assert.equal(envValues(job).get('API_MONGO_DSN_FILE'), '/secrets/mongo-dsn');
    const jobText = JSON.stringify(job);
    for (const secretValue of [INLINE_DSN, INLINE_URL, 's3cr3t', Buffer.from(INLINE_DSN).toString('base64')]) {
      assert.ok(!jobText.includes(secretValue), `the Job spec must not contain ${secretValue}`);
    }
  });

  it('refuses a missing secret, and a secretKeyRef together with a value, naming the setting', async () => {
    const missing = await helmTemplate({ values: { ...SECRET_REFS, postgres: {} } });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /postgres\.url \(API_POSTGRES_URL\) is required/);
    const both = await helmTemplate({ values: { ...SECRET_REFS, mongo: { dsn: { secretKeyRef: { name: 'src', key: 'dsn' }, value: INLINE_DSN } } } });
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /mongo\.dsn: set either secretKeyRef or value, not both/);
    assert.ok(!both.stderr.includes('s3cr3t'), 'the error does not quote the secret');
    const noKey = await helmTemplate({ values: { ...SECRET_REFS, credentials: { masterPassword: { secretKeyRef: { name: 'creds' } } } } });
    assert.notEqual(noKey.code, 0);
    assert.match(noKey.stderr, /credentials\.masterPassword\.secretKeyRef\.key is required/);
  });
});

describe('chart: restricted security', () => {
  it('runs non-root with a read-only root filesystem, no capabilities and the runtime seccomp profile', async () => {
    const job = only(await render({ valuesFiles: [ENABLED_VALUES_FILE] }), 'Job');
    const pod = podSpec(job).securityContext as Record<string, unknown>;
    assert.equal(pod.runAsNonRoot, true);
    assert.ok((pod.runAsUser as number) > 0);
    assert.deepEqual(pod.seccompProfile, { type: 'RuntimeDefault' });
    const c = container(job).securityContext as Record<string, unknown>;
    assert.equal(c.allowPrivilegeEscalation, false);
    assert.equal(c.readOnlyRootFilesystem, true);
    assert.equal(c.runAsNonRoot, true);
    assert.deepEqual(c.capabilities, { drop: ['ALL'] });
    assert.deepEqual(c.seccompProfile, { type: 'RuntimeDefault' });
    assert.equal(podSpec(job).enableServiceLinks, false);
  });

  it('mounts volumes at /tmp and the work dir, the only writable paths', async () => {
    const job = only(await render({ valuesFiles: [ENABLED_VALUES_FILE], values: { convert: { workDir: '/reports' } } }), 'Job');
    const mounts = new Map((container(job).volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
    assert.equal(mounts.get('/tmp'), 'tmp');
    assert.equal(mounts.get('/reports'), 'work');
    assert.equal(envValues(job).get('CONVERT_WORK_DIR'), '/reports');
    assert.deepEqual(volume(job, 'work').emptyDir, { sizeLimit: '1Gi' });
    assert.deepEqual(volume(job, 'tmp').emptyDir, { sizeLimit: '256Mi' });
  });

  it('keeps the error reports on an existing claim when asked', async () => {
    const job = only(await render({ valuesFiles: [ENABLED_VALUES_FILE], values: { workVolume: { existingClaim: 'reports', subPath: 'run-1' } } }), 'Job');
    assert.deepEqual(volume(job, 'work').persistentVolumeClaim, { claimName: 'reports' });
    assert.equal(container(job).volumeMounts?.find((m) => m.name === 'work')?.subPath, 'run-1');
  });
});

describe('chart: pod and container settings from values', () => {
  it('renders image, pull secrets, resources, scheduling, labels, annotations, extra env and args', async () => {
    const docs = await render({
      valuesFiles: [ENABLED_VALUES_FILE],
      values: {
        command: 'preflight',
        extraArgs: ['--convert_dry_run'],
        image: { registry: 'registry.example.com', repository: 'platform/mongo2pg', tag: '1.2.3', pullPolicy: 'Always', pullSecrets: ['regcred', { name: 'other' }] },
        global: { imagePullSecrets: [{ name: 'regcred' }, 'global-cred'] },
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '3Gi' } },
        nodeSelector: { pool: 'batch' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] } } },
        podAnnotations: { 'example.com/note': 'x' },
        podLabels: { team: 'platform' },
        commonLabels: { owner: 'platform' },
        job: { annotations: { 'example.com/ticket': 'CHG-1' }, labels: { run: 'one' } },
        priorityClassName: 'batch-high',
        terminationGracePeriodSeconds: 300,
        extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=3072' }],
      },
    });
    const job = only(docs, 'Job');
    const pod = podSpec(job);
    const c = container(job);
    assert.equal(c.image, 'registry.example.com/platform/mongo2pg:1.2.3');
    assert.equal((c as unknown as { imagePullPolicy: string }).imagePullPolicy, 'Always');
    assert.deepEqual(c.args, ['preflight', '--convert_dry_run']);
    assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }, { name: 'other' }, { name: 'global-cred' }]);
    assert.deepEqual(c.resources, { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '3Gi' } });
    assert.deepEqual(pod.nodeSelector, { pool: 'batch' });
    assert.equal((pod.tolerations as unknown[]).length, 1);
    assert.ok(pod.affinity);
    assert.equal(pod.priorityClassName, 'batch-high');
    assert.equal(pod.terminationGracePeriodSeconds, 300);
    const template = jobSpec(job).template.metadata;
    assert.equal(template.annotations?.['example.com/note'], 'x');
    assert.equal(template.labels?.team, 'platform');
    assert.equal(job.metadata.annotations?.['example.com/ticket'], 'CHG-1');
    assert.equal(job.metadata.labels?.run, 'one');
    for (const doc of docs) assert.equal(doc.metadata.labels?.owner, 'platform', doc.kind);
    const env = c.env ?? [];
    assert.deepEqual(env.at(-1), { name: 'NODE_OPTIONS', value: '--max-old-space-size=3072' }, 'extra env comes last');
  });

  it('prefers an image digest and the global registry', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const job = only(await render({ valuesFiles: [ENABLED_VALUES_FILE], values: { image: { digest }, global: { imageRegistry: 'mirror.internal' } } }), 'Job');
    assert.equal(container(job).image, `mirror.internal/mongo2pg/mongo2pg@${digest}`);
  });

  it('defaults the image tag to the chart appVersion', async () => {
    const job = only(await render({ valuesFiles: [ENABLED_VALUES_FILE] }), 'Job');
    const chart = readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8');
    const appVersion = /^appVersion:\s*"?([^"\n]+)"?$/m.exec(chart)?.[1];
    assert.equal(container(job).image, `ghcr.io/mongo2pg/mongo2pg:${appVersion}`);
    const pkg = JSON.parse(readFileSync(join(CHART_DIR, '..', 'package.json'), 'utf8')) as { version: string };
    assert.equal(appVersion, pkg.version, 'Chart.yaml appVersion follows package.json version');
  });
});

describe('chart: umbrella-chart layout', () => {
  it('takes the Secrets and database from global.mongo, global.postgres and global.credentials', async () => {
    const job = only(await render({ valuesFiles: [UMBRELLA_VALUES_FILE] }), 'Job');
    assert.deepEqual(secretSources(job), [
      { name: 'testkube-mongo-dsn', key: 'MONGO_DSN', path: 'mongo-dsn' },
      { name: 'testkube-postgres-dsn', key: 'POSTGRES_DSN', path: 'postgres-url' },
      { name: 'testkube-credentials-master-password', key: 'password', path: 'credentials-master-password' },
    ]);
    assert.equal(envValues(job).get('API_MONGO_DB'), 'testkubeEnterpriseDB');
    assert.deepEqual(podSpec(job).imagePullSecrets, [{ name: 'regcred' }]);
  });

  it('lets the chart\'s own values win over the globals, and accepts inline global values', async () => {
    const job = only(
      await render({
        valuesFiles: [UMBRELLA_VALUES_FILE],
        values: { mongo: { db: 'own', dsn: { secretKeyRef: { name: 'own-dsn', key: 'k' } } }, global: { credentials: { masterPassword: { secretKeyRef: null, value: INLINE_PASSWORD } } } },
      }),
      'Job',
    );
    assert.equal(envValues(job).get('API_MONGO_DB'), 'own');
    const sources = secretSources(job);
    assert.deepEqual(sources[0], { name: 'own-dsn', key: 'k', path: 'mongo-dsn' });
    assert.equal(sources[2]?.key, 'credentials-master-password', 'the inline global password lives in the chart-owned Secret');
  });

  it('works as a subchart of an umbrella release, sharing its globals', async () => {
    const copy = await copyChart();
    try {
      const umbrella = join(copy.root, 'umbrella');
      await mkdir(join(umbrella, 'charts'), { recursive: true });
      await writeFile(join(umbrella, 'Chart.yaml'), 'apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n  - name: mongo2pg\n    version: 0.x.x\n');
      await cp(copy.dir, join(umbrella, 'charts', 'mongo2pg'), { recursive: true });
      const umbrellaValues = {
        global: {
          domain: 'example.com',
          mongo: { dsnSecretRef: 'testkube-mongo-dsn', database: 'testkubeEnterpriseDB', allowDiskUse: false },
          postgres: { enabled: true, dsnSecretRef: 'testkube-postgres-dsn', dsnSecretKey: 'POSTGRES_DSN' },
          credentials: { masterPassword: { secretKeyRef: { name: 'testkube-credentials-master-password', key: 'password' } } },
        },
        mongo2pg: { mongoToPostgresMigration: { enabled: true } },
      };
      const docs = await render({ chartDir: umbrella, release: 'testkube-enterprise', namespace: 'testkube', values: umbrellaValues });
      const job = only(docs, 'Job');
      assert.equal(job.metadata.name, 'testkube-enterprise-mongo2pg');
      assert.equal(secretSources(job)[0]?.name, 'testkube-mongo-dsn');
      assert.equal(envValues(job).get('API_MONGO_DB'), 'testkubeEnterpriseDB');
      assert.equal(envValues(job).get('RELEASE_NAME'), 'testkube-enterprise');
      const off = await render({ chartDir: umbrella, values: { ...umbrellaValues, mongo2pg: { mongoToPostgresMigration: { enabled: false } } } });
      assert.deepEqual(off, []);
    } finally {
      await copy.cleanup();
    }
  });
});

describe('chart: values.example.yaml', () => {
  it('renders a production Job: claim for reports, Pushgateway, tuned settings', async () => {
    const docs = await render({ valuesFiles: [EXAMPLE_VALUES_FILE], release: 'mongo2pg', namespace: 'testkube' });
    const job = only(docs, 'Job');
    const env = envValues(job);
    assert.equal(env.get('PUSHGATEWAY_URL'), 'http://prometheus-pushgateway.monitoring.svc:9091');
    // Issue 13: the example must not drop usage history silently.
    assert.ok(!env.get('CONVERT_SINCE'), 'the example leaves CONVERT_SINCE empty');
    assert.equal(env.get('CONVERT_WORKERS'), '16');
    assert.deepEqual(volume(job, 'work').persistentVolumeClaim, { claimName: 'mongo2pg-reports' });
    assert.equal(jobSpec(job).activeDeadlineSeconds, 43200);
  });
});

describe('chart: Grafana dashboard ConfigMap', () => {
  it('ships chart/dashboards/mongo2pg.json with the sidecar label when enabled', async () => {
    const copy = await copyChart();
    try {
      const dashboard = { title: 'mongo2pg', panels: [{ type: 'timeseries', title: 'Records/s', targets: [{ expr: 'rate(x[1m])' }] }] };
      await mkdir(join(copy.dir, 'dashboards'), { recursive: true });
      await writeFile(join(copy.dir, 'dashboards', 'mongo2pg.json'), `${JSON.stringify(dashboard, null, 2)}\n`);
      assert.deepEqual(await render({ chartDir: copy.dir }), [], 'off by default');
      const docs = await render({ chartDir: copy.dir, values: { dashboard: { enabled: true, namespace: 'monitoring', annotations: { grafana_folder: 'Migrations' } } } });
      const cm = only(docs, 'ConfigMap');
      assert.equal(cm.metadata.labels?.grafana_dashboard, '1');
      assert.equal(cm.metadata.namespace, 'monitoring');
      assert.equal(cm.metadata.annotations?.grafana_folder, 'Migrations');
      assert.deepEqual(JSON.parse((cm.data as Record<string, string>)['mongo2pg.json'] as string), dashboard);
      assert.equal(docs.length, 1, 'the dashboard does not depend on the migration being enabled');
    } finally {
      await copy.cleanup();
    }
  });

  it('renders nothing when the dashboard file is absent', async () => {
    const copy = await copyChart();
    try {
      await rm(join(copy.dir, 'dashboards'), { recursive: true, force: true });
      assert.deepEqual(await render({ chartDir: copy.dir, values: { dashboard: { enabled: true } } }), []);
    } finally {
      await copy.cleanup();
    }
  });

  it('ships the real dashboard unchanged if it is there', async (t) => {
    const file = join(CHART_DIR, 'dashboards', 'mongo2pg.json');
    if (!existsSync(file)) {
      t.skip('chart/dashboards/mongo2pg.json is not written yet');
      return;
    }
    const cm = only(await render({ values: { dashboard: { enabled: true } } }), 'ConfigMap');
    assert.deepEqual(JSON.parse((cm.data as Record<string, string>)['mongo2pg.json'] as string), JSON.parse(readFileSync(file, 'utf8')));
  });
});

describe('chart: NOTES.txt', () => {
  it('tells the operator how to follow the Job and to switch the hook off afterwards', async () => {
    const notes = await renderNotes({ valuesFiles: [ENABLED_VALUES_FILE], release: 'tk', namespace: 'testkube', values: { progress: { pushgatewayUrl: 'http://pgw.monitoring:9091/' } } });
    assert.match(notes, /kubectl logs -n testkube -f job\/tk-mongo2pg/);
    assert.match(notes, /kubectl get job -n testkube tk-mongo2pg -o jsonpath='\{\.metadata\.annotations\.mongo2pg\\\.io\/progress\}/);
    assert.match(notes, /curl -s http:\/\/pgw\.monitoring:9091\/metrics/);
    assert.match(notes, /helm upgrade tk <chart> -n testkube --reuse-values \\\n\s+--set mongoToPostgresMigration\.enabled=false/);
  });

  it('says how to enable the Job when it is off', async () => {
    const notes = await renderNotes();
    assert.match(notes, /--set mongoToPostgresMigration\.enabled=true --timeout/);
    assert.doesNotMatch(notes, /kubectl logs/);
  });
});
