/**
 * PROCESS KUBELET STAND-IN — the one piece of the e2e Kubernetes that is not real. There is no
 * container runtime on a test machine, so this plays the kubelet of one Node against the real
 * control plane (test/harness/kube.ts):
 *
 * - registers a Node and binds every unscheduled Pod to it through the `binding` subresource
 *   (the kube-scheduler's job; there is one node, so scheduling is a formality);
 * - runs each Pod's single container as a local process of the built CLI: the image's
 *   ENTRYPOINT (`node dist/main.js`, see the Dockerfile) unless the Pod gives `command`, the
 *   Pod's `args`, in the repository root (the image's WORKDIR holds the same dist/);
 * - resolves env from the real API (value, secretKeyRef, configMapKeyRef, fieldRef including
 *   metadata.labels['job-name']) and sets KUBERNETES_SERVICE_HOST/PORT to the API server;
 * - writes volumes under a per-Pod root directory: secret, configMap, emptyDir and projected
 *   (secret, configMap, downwardAPI, and serviceAccountToken obtained with the TokenRequest API,
 *   bound to the Pod, so the program talks to the server with its real RBAC identity). A
 *   process has no mount namespace, so each mountPath is a symlink under the root, and env
 *   values naming a path under a mountPath are rewritten to the mapped path. The program's
 *   service-account directory setting (KUBE_SERVICE_ACCOUNT_DIR) is set to the mapped
 *   /var/run/secrets/kubernetes.io/serviceaccount when the Pod does not set it — the one
 *   test-only difference from a real pod;
 * - reports the Pod Running, then Succeeded/Failed with the exit code, and serves the container
 *   log on the kubelet's log endpoint, so `pods/log` (`kubectl logs`) works through the server;
 * - on deletion (or eviction) sends SIGTERM, SIGKILL after the grace period, reports the Pod
 *   Failed and finishes the deletion, as the kubelet does.
 *
 * Not emulated: the Pod's user and security context (the process runs as the test user),
 * resource limits, a read-only root filesystem, probes, init containers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../chart/helm.js';
import { makeTempDir, removeDir } from '../harness/files.js';
import type { ControlPlane } from '../harness/kube.js';
import { SERVICE_ACCOUNT_ISSUER } from '../harness/kube.js';
import { KubeRest, type Obj } from '../harness/kube-rest.js';

export const NODE_NAME = 'process-kubelet';
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The image's ENTRYPOINT (Dockerfile), relative to its WORKDIR (= the repository root here). */
const IMAGE_ENTRYPOINT = ['node', 'dist/main.js'];

export interface PodRun {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** Where the Pod's mounts live (mountPath P is at root + P). */
  readonly root: string;
  /** stdout and stderr of the container, as `kubectl logs` would show them. */
  readonly logFile: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** The container's environment as resolved (for assertions). */
  readonly env: Readonly<Record<string, string>>;
}

export interface ProcessKubelet {
  /** Every Pod started so far, in start order. */
  readonly runs: readonly PodRun[];
  /** Waits for a Pod of `namespace` matching `filter` to start and returns its run. */
  waitForRun(namespace: string, filter?: (run: PodRun) => boolean, timeoutMs?: number): Promise<PodRun>;
  /** The container log of a run. */
  logs(run: PodRun): Promise<string>;
  stop(): Promise<void>;
}

interface Running {
  run: PodRun;
  child: ChildProcess;
  terminating: boolean;
}

export async function startProcessKubelet(cp: ControlPlane, options: { extraEnv?: Record<string, string> } = {}): Promise<ProcessKubelet> {
  const api = KubeRest.admin(cp);
  const dir = await makeTempDir('kubelet');
  const runs: PodRun[] = [];
  const running = new Map<string, Running>();
  const seen = new Set<string>();
  const abort = new AbortController();
  const listeners = new Set<() => void>();

  // The kubelet's log endpoint, which the API server proxies `pods/log` (kubectl logs) to.
  const logServer = createServer({ cert: readFileSync(cp.serving.cert), key: readFileSync(cp.serving.key) }, (req, res) => {
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/?]+)/.exec(req.url ?? '');
    const run = m && [...runs].reverse().find((r) => r.namespace === m[1] && r.name === m[2]);
    if (!run) {
      res.writeHead(404).end('no such container\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    createReadStream(run.logFile).pipe(res);
  });
  await new Promise<void>((resolve) => logServer.listen(0, '127.0.0.1', resolve));
  await registerNode(api, (logServer.address() as AddressInfo).port);

  const patchStatus = (pod: Obj, status: Obj) =>
    api
      .ok('PATCH', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, { status }, 'application/strategic-merge-patch+json')
      .catch(() => undefined); // the Pod may be gone already

  const finishDeletion = (pod: Obj) =>
    api
      .call('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } })
      .catch(() => undefined);

  async function start(pod: Obj): Promise<void> {
    const uid = pod.metadata.uid as string;
    const root = join(dir, `${pod.metadata.namespace}_${pod.metadata.name}_${uid.slice(0, 8)}`);
    await mkdir(root, { recursive: true });
    const container = pod.spec.containers[0] as Obj;
    const now = new Date().toISOString();
    let env: Record<string, string>;
    try {
      const mounts = await prepareVolumes(api, pod, root);
      env = await resolveEnv(api, cp, pod, container, mounts, root);
    } catch (error) {
      // A real kubelet keeps the Pod Pending (CreateContainerConfigError) and retries.
      await patchStatus(pod, {
        containerStatuses: [{ name: container.name, image: container.image, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'CreateContainerConfigError', message: (error as Error).message } } }],
      });
      seen.delete(uid);
      setTimeout(() => void api.find(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`).then((p) => p && void consider(p)), 1_000);
      return;
    }
    Object.assign(env, options.extraEnv);
    const command = (container.command as string[] | undefined) ?? IMAGE_ENTRYPOINT;
    const args = (container.args as string[] | undefined) ?? [];
    const [bin, ...rest] = command[0] === 'node' ? [process.execPath, ...command.slice(1)] : command;
    const logFile = join(root, 'container.log');
    const log = createWriteStream(logFile);
    const child = spawn(bin as string, [...rest, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(127));
    });
    const run: PodRun = { namespace: pod.metadata.namespace, name: pod.metadata.name, uid, root, logFile, exited, env };
    runs.push(run);
    const entry: Running = { run, child, terminating: false };
    running.set(uid, entry);
    for (const l of listeners) l();
    await patchStatus(pod, {
      phase: 'Running',
      hostIP: '127.0.0.1',
      podIP: '127.0.0.1',
      startTime: now,
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
      ],
      containerStatuses: [{ name: container.name, image: container.image, imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } }],
    });
    const code = await exited;
    await new Promise<void>((r) => log.end(r));
    running.delete(uid);
    const finished = new Date().toISOString();
    const exitCode = code ?? 137;
    await patchStatus(pod, {
      // As the kubelet's getPhase: all containers exited 0 = Succeeded, also after a SIGTERM.
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      conditions: [
        { type: 'ContainersReady', status: 'False', lastTransitionTime: finished },
        { type: 'Ready', status: 'False', lastTransitionTime: finished },
      ],
      containerStatuses: [{
        name: container.name, image: container.image, imageID: '', ready: false, started: false, restartCount: 0,
        state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: now, finishedAt: finished } },
      }],
    });
    if (entry.terminating) await finishDeletion(pod);
  }

  function terminate(pod: Obj): void {
    const entry = running.get(pod.metadata.uid as string);
    if (!entry) {
      // Never started or already finished: the kubelet completes the deletion.
      if (!seen.has(pod.metadata.uid as string) || !['Pending', 'Running'].includes(pod.status?.phase)) void finishDeletion(pod);
      return;
    }
    if (entry.terminating) return;
    entry.terminating = true;
    entry.child.kill('SIGTERM');
    const graceMs = Number(pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const timer = setTimeout(() => entry.child.kill('SIGKILL'), graceMs);
    void entry.run.exited.then(() => clearTimeout(timer));
  }

  async function consider(pod: Obj): Promise<void> {
    const uid = pod.metadata.uid as string;
    if (pod.metadata.deletionTimestamp) {
      terminate(pod);
      return;
    }
    if (seen.has(uid) || ['Succeeded', 'Failed'].includes(pod.status?.phase)) return;
    seen.add(uid);
    if (!pod.spec.nodeName) {
      // The scheduler's step: bind to this node.
      const res = await api.call('POST', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`, {
        apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name, uid }, target: { apiVersion: 'v1', kind: 'Node', name: NODE_NAME },
      });
      if (res.status !== 201 && res.status !== 200) {
        seen.delete(uid);
        return;
      }
    } else if (pod.spec.nodeName !== NODE_NAME) {
      return;
    }
    await start(pod);
  }

  const watching = api.listWatch('/api/v1/pods', (event) => {
    if (event.type === 'ADDED' || event.type === 'MODIFIED') void consider(event.object).catch(() => undefined);
  }, abort.signal);

  return {
    runs,
    waitForRun(namespace, filter = () => true, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = runs.find((r) => r.namespace === namespace && filter(r));
          if (found) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`process kubelet: no Pod started in ${namespace} within ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    logs: (run) => readFile(run.logFile, 'utf8'),
    async stop() {
      abort.abort();
      for (const entry of running.values()) entry.child.kill('SIGKILL');
      await Promise.allSettled([...running.values()].map((e) => e.run.exited));
      await watching.catch(() => undefined);
      logServer.closeAllConnections();
      await new Promise<void>((resolve) => logServer.close(() => resolve()));
      await removeDir(dir);
    },
  };
}

async function registerNode(api: KubeRest, kubeletPort: number): Promise<void> {
  const res = await api.call('POST', '/api/v1/nodes', {
    apiVersion: 'v1', kind: 'Node', metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux' } },
  });
  if (res.status !== 201 && res.status !== 409) throw new Error(`process kubelet: cannot register Node: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  const now = new Date().toISOString();
  await api.ok('PATCH', `/api/v1/nodes/${NODE_NAME}/status`, {
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'process kubelet stand-in', lastHeartbeatTime: now, lastTransitionTime: now }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: NODE_NAME }],
      daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
      capacity: { cpu: '2', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '8Gi', pods: '110' },
    },
  }, 'application/strategic-merge-patch+json');
}

/** A Pod field by fieldRef path, as the downward API resolves it. */
function fieldValue(pod: Obj, path: string): string {
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) return (pod.metadata[keyed[1] as string] ?? {})[keyed[2] as string] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace;
    case 'metadata.uid': return pod.metadata.uid;
    case 'spec.nodeName': return NODE_NAME;
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP': case 'status.hostIP': return '127.0.0.1';
    default: throw new Error(`process kubelet: fieldRef ${path} is not supported`);
  }
}

async function keyOf(api: KubeRest, namespace: string, kind: 'secrets' | 'configmaps', name: string, key: string, optional: boolean): Promise<string | undefined> {
  const obj = await api.find(`/api/v1/namespaces/${namespace}/${kind}/${name}`);
  if (!obj) {
    if (optional) return undefined;
    throw new Error(`${kind === 'secrets' ? 'secret' : 'configmap'} "${name}" not found`);
  }
  const value = kind === 'secrets' ? (obj.data?.[key] === undefined ? undefined : Buffer.from(obj.data[key], 'base64').toString('utf8')) : obj.data?.[key];
  if (value === undefined && !optional) throw new Error(`couldn't find key ${key} in ${kind === 'secrets' ? 'Secret' : 'ConfigMap'} ${namespace}/${name}`);
  return value;
}

/** A service-account token for the Pod from the TokenRequest API, bound to the Pod. */
async function podToken(api: KubeRest, pod: Obj, audience: string | undefined, expirationSeconds: number): Promise<string> {
  const sa = pod.spec.serviceAccountName ?? 'default';
  const res = await api.ok(`POST`, `/api/v1/namespaces/${pod.metadata.namespace}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
    spec: { audiences: [audience ?? SERVICE_ACCOUNT_ISSUER], expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid } },
  });
  return res.status.token as string;
}

interface FileOut {
  path: string;
  content: string | Buffer;
  mode: number;
}

async function projectedFiles(api: KubeRest, pod: Obj, source: Obj, defaultMode: number): Promise<FileOut[]> {
  const ns = pod.metadata.namespace as string;
  const out: FileOut[] = [];
  const fromObject = async (kind: 'secrets' | 'configmaps', ref: Obj) => {
    const obj = await api.find(`/api/v1/namespaces/${ns}/${kind}/${ref.name}`);
    if (!obj) {
      if (ref.optional) return;
      throw new Error(`${kind === 'secrets' ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    const data: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) data[k] = kind === 'secrets' ? Buffer.from(v, 'base64') : Buffer.from(v);
    const items: Obj[] = (ref.items as Obj[] | undefined) ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const item of items) {
      const content = data[item.key];
      if (content === undefined) throw new Error(`couldn't find key ${item.key} in ${ref.name}`);
      out.push({ path: item.path, content, mode: item.mode ?? defaultMode });
    }
  };
  if (source.secret) await fromObject('secrets', source.secret);
  if (source.configMap) await fromObject('configmaps', source.configMap);
  if (source.downwardAPI) for (const item of source.downwardAPI.items as Obj[]) out.push({ path: item.path, content: fieldValue(pod, item.fieldRef.fieldPath), mode: item.mode ?? defaultMode });
  if (source.serviceAccountToken) {
    const t = source.serviceAccountToken;
    out.push({ path: t.path, content: await podToken(api, pod, t.audience, t.expirationSeconds ?? 3607), mode: defaultMode });
  }
  return out;
}

/** Writes the Pod's volumes and links each mountPath under root; returns mountPath -> mapped path. */
async function prepareVolumes(api: KubeRest, pod: Obj, root: string): Promise<Map<string, string>> {
  const volumeDirs = new Map<string, string>();
  for (const volume of (pod.spec.volumes ?? []) as Obj[]) {
    const vdir = join(root, '.volumes', volume.name);
    await mkdir(vdir, { recursive: true });
    volumeDirs.set(volume.name, vdir);
    let files: FileOut[] = [];
    if (volume.projected) {
      const mode = volume.projected.defaultMode ?? 0o644;
      for (const source of volume.projected.sources as Obj[]) files.push(...(await projectedFiles(api, pod, source, mode)));
    } else if (volume.secret) {
      files = await projectedFiles(api, pod, { secret: { name: volume.secret.secretName, items: volume.secret.items, optional: volume.secret.optional } }, volume.secret.defaultMode ?? 0o644);
    } else if (volume.configMap) {
      files = await projectedFiles(api, pod, { configMap: volume.configMap }, volume.configMap.defaultMode ?? 0o644);
    } else if (!volume.emptyDir) {
      throw new Error(`process kubelet: volume ${volume.name} of type ${Object.keys(volume).filter((k) => k !== 'name').join(',')} is not supported`);
    }
    for (const f of files) {
      const path = join(vdir, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content);
      // Owner bits kept readable: the process runs as the test user, not the Pod's fsGroup.
      await chmod(path, f.mode | 0o400);
    }
  }
  const mounts = new Map<string, string>();
  const container = pod.spec.containers[0] as Obj;
  for (const m of (container.volumeMounts ?? []) as Obj[]) {
    const source = volumeDirs.get(m.name);
    if (!source) throw new Error(`volumeMount ${m.name} names no volume`);
    const target = join(root, m.mountPath);
    const from = m.subPath ? join(source, m.subPath) : source;
    await mkdir(from, { recursive: true });
    await mkdir(dirname(target), { recursive: true });
    await symlink(from, target);
    mounts.set(m.mountPath, target);
  }
  return mounts;
}

function mapPath(value: string, mounts: Map<string, string>): string {
  for (const [mountPath, mapped] of mounts) {
    if (value === mountPath) return mapped;
    if (value.startsWith(`${mountPath}/`)) return mapped + value.slice(mountPath.length);
  }
  return value;
}

async function resolveEnv(api: KubeRest, cp: ControlPlane, pod: Obj, container: Obj, mounts: Map<string, string>, root: string): Promise<Record<string, string>> {
  const ns = pod.metadata.namespace as string;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOSTNAME: pod.metadata.name,
    // Every pod gets the `kubernetes` Service's address; here it is the API server itself.
    KUBERNETES_SERVICE_HOST: cp.host,
    KUBERNETES_SERVICE_PORT: String(cp.port),
  };
  for (const from of (container.envFrom ?? []) as Obj[]) {
    const kind = from.secretRef ? 'secrets' : 'configmaps';
    const ref = from.secretRef ?? from.configMapRef;
    const obj = await api.find(`/api/v1/namespaces/${ns}/${kind}/${ref.name}`);
    if (!obj) {
      if (ref.optional) continue;
      throw new Error(`${kind} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) env[`${from.prefix ?? ''}${k}`] = kind === 'secrets' ? Buffer.from(v, 'base64').toString('utf8') : v;
  }
  for (const e of (container.env ?? []) as Obj[]) {
    let value: string | undefined;
    if (e.value !== undefined) value = String(e.value);
    else if (e.valueFrom?.fieldRef) value = fieldValue(pod, e.valueFrom.fieldRef.fieldPath);
    else if (e.valueFrom?.secretKeyRef) value = await keyOf(api, ns, 'secrets', e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key, e.valueFrom.secretKeyRef.optional === true);
    else if (e.valueFrom?.configMapKeyRef) value = await keyOf(api, ns, 'configmaps', e.valueFrom.configMapKeyRef.name, e.valueFrom.configMapKeyRef.key, e.valueFrom.configMapKeyRef.optional === true);
    else if (e.valueFrom) throw new Error(`process kubelet: env ${e.name}: ${Object.keys(e.valueFrom).join(',')} is not supported`);
    if (value !== undefined) env[e.name] = mapPath(value, mounts);
  }
  // No mount namespace: point the program at the mapped service-account directory and /tmp.
  if (env.KUBE_SERVICE_ACCOUNT_DIR === undefined) env.KUBE_SERVICE_ACCOUNT_DIR = join(root, SERVICE_ACCOUNT_DIR);
  if (mounts.has('/tmp')) env.TMPDIR = mounts.get('/tmp') as string;
  return env;
}
