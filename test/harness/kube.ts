// A real Kubernetes control plane for e2e tests, on loopback only: etcd, kube-apiserver
// (TLS from a CA made at start, RBAC, no anonymous access, service-account tokens) and
// kube-controller-manager (Job, garbage-collector, namespace and root-CA controllers).
// There is no scheduler, kubelet or container runtime: test/stand-ins/process-kubelet.ts
// binds Pods and runs their container as a local process.
//
// Started once per test file (~5-10 s); each test makes its own namespace (testNamespace).
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { makeTempDir, removeDir } from './files.js';
import { freePort } from './ports.js';
import { runCommand, spawnService, type ServiceProcess } from './process.js';
import { awaitReady, withPortRetry } from './service.js';
import { toolPath } from './tools.js';

/** The issuer (and default audience) of service-account tokens, as in a kubeadm cluster. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly host: string;
  readonly port: number;
  /** PEM of the cluster CA (what a pod finds in its service-account ca.crt). */
  readonly caFile: string;
  /** An admin kubeconfig (client certificate in system:masters), for helm, kubectl and the tests. */
  readonly kubeconfig: string;
  /** The API server's certificate (SAN 127.0.0.1) and key, for a proxy posing as the server. */
  readonly serving: { readonly cert: string; readonly key: string };
  /** The admin client certificate and key of `kubeconfig`. */
  readonly admin: { readonly cert: string; readonly key: string };
  /** Directory for logs and state; removed by stop(). */
  readonly dir: string;
  stop(): Promise<void>;
}

interface Pki {
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  saKey: string;
  saPub: string;
  client(name: string, org?: string): Promise<{ cert: string; key: string }>;
}

/** openssl CLI (Debian's openssl package): Node's crypto makes keys but cannot issue certificates. */
async function makePki(dir: string): Promise<Pki> {
  const pki = join(dir, 'pki');
  await mkdir(pki);
  const ssl = (args: string[]) => runCommand('openssl', args, { cwd: pki });
  // EC P-256: key generation is instant, unlike RSA on a loaded machine.
  const ecKey = (file: string) => ssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
  await ecKey('ca.key');
  await ssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=mongo2pg-test-ca', '-days', '2', '-out', 'ca.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const issue = async (name: string, subject: string, ext: string) => {
    await ecKey(`${name}.key`);
    await ssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
    await writeFile(join(pki, `${name}.ext`), ext);
    await ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
    return { cert: join(pki, `${name}.crt`), key: join(pki, `${name}.key`) };
  };
  const server = await issue('apiserver', '/CN=kube-apiserver',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n');
  await ecKey('sa.key');
  await ssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  return {
    ca: join(pki, 'ca.crt'),
    caKey: join(pki, 'ca.key'),
    serverCert: server.cert,
    serverKey: server.key,
    saKey: join(pki, 'sa.key'),
    saPub: join(pki, 'sa.pub'),
    client: (name, org) => issue(name, `/CN=${name}${org ? `/O=${org}` : ''}`, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n'),
  };
}

function kubeconfigYaml(server: string, ca: string, user: string, cert: string, key: string): string {
  // JSON is YAML; file references keep the keys out of the config.
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'certificate-authority': ca } }],
    users: [{ name: user, user: { 'client-certificate': cert, 'client-key': key } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user } }],
    'current-context': 'test',
  }, null, 2);
}

/** GET `path` with a client certificate; resolves the status code (0 when unreachable). */
export function getStatus(server: string, path: string, tls: { ca: string; cert: string; key: string }): Promise<number> {
  return new Promise((resolve) => {
    const req = request(new URL(path, server), { ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key), timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function startEtcd(dir: string): Promise<{ url: string; proc: ServiceProcess }> {
  return withPortRetry(async () => {
    const [client, peer] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${client}`;
    const proc = spawnService(toolPath('etcd'), [
      '--name=test', `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=test=http://127.0.0.1:${peer}`,
      // A throwaway store: durability costs seconds per test on a busy disk.
      '--unsafe-no-fsync', '--log-level=warn',
    ], { logFile: join(dir, 'etcd.log'), cwd: dir });
    await awaitReady(proc, `etcd on ${url}`, async () => {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    }, { timeoutMs: 30_000, intervalMs: 100 });
    return { url, proc };
  });
}

async function startApiServer(dir: string, pki: Pki, etcdUrl: string, admin: { cert: string; key: string }): Promise<{ port: number; proc: ServiceProcess }> {
  return withPortRetry(async () => {
    const port = await freePort();
    const proc = spawnService(toolPath('kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${port}`,
      `--tls-cert-file=${pki.serverCert}`, `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.ca}`,
      '--authorization-mode=RBAC', '--anonymous-auth=false',
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${pki.saPub}`, `--service-account-signing-key-file=${pki.saKey}`,
      // The `kubernetes` Service's endpoints would name this loopback address; pods here reach
      // the server through KUBERNETES_SERVICE_HOST set by the process kubelet instead.
      '--endpoint-reconciler-type=none',
      '--service-cluster-ip-range=10.96.0.0/24',
      // pods/log is proxied to the node's InternalIP (the process kubelet's log endpoint).
      '--kubelet-preferred-address-types=InternalIP',
      '--profiling=false',
      '--v=1',
    ], { logFile: join(dir, 'kube-apiserver.log'), cwd: dir });
    const server = `https://127.0.0.1:${port}`;
    await awaitReady(proc, `kube-apiserver on ${server}`, async () => (await getStatus(server, '/readyz', { ca: pki.ca, ...admin })) === 200, { timeoutMs: 120_000, intervalMs: 250 });
    return { port, proc };
  });
}

function startControllerManager(dir: string, pki: Pki, kubeconfig: string): ServiceProcess {
  return spawnService(toolPath('kube-controller-manager'), [
    `--kubeconfig=${kubeconfig}`,
    // job: Job -> Pods and Pod status -> Job; garbagecollector: a deleted Job takes its Pods;
    // namespace: deleting a test namespace empties it; root-ca-cert-publisher: the
    // kube-root-ca.crt ConfigMap a pod's service-account volume reads; ttl-after-finished:
    // the chart's job.ttlSecondsAfterFinished; serviceaccount: each namespace's `default`.
    '--controllers=job,garbagecollector,namespace,root-ca-cert-publisher,ttl-after-finished,serviceaccount',
    `--root-ca-file=${pki.ca}`,
    // Each controller with its own identity and bootstrap role (system:controller:job-controller,
    // ...), as kubeadm runs it; the manager's own identity may do little more than that.
    '--use-service-account-credentials=true',
    '--leader-elect=false', '--secure-port=0',
    '--concurrent-job-syncs=2',
    '--v=1',
  ], { logFile: join(dir, 'kube-controller-manager.log'), cwd: dir });
}

export async function startControlPlane(): Promise<ControlPlane> {
  const dir = await makeTempDir('kube');
  const stops: ServiceProcess[] = [];
  const stopAll = async () => {
    for (const p of stops.reverse()) await p.stop(5_000);
  };
  try {
    const pki = await makePki(dir);
    const admin = await pki.client('mongo2pg-test-admin', 'system:masters');
    const etcd = await startEtcd(dir);
    stops.push(etcd.proc);
    const api = await startApiServer(dir, pki, etcd.url, admin);
    stops.push(api.proc);
    const server = `https://127.0.0.1:${api.port}`;
    const kubeconfig = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(server, pki.ca, 'admin', admin.cert, admin.key));
    const kcm = await pki.client('system:kube-controller-manager');
    const kcmConfig = join(dir, 'kube-controller-manager.kubeconfig');
    await writeFile(kcmConfig, kubeconfigYaml(server, pki.ca, 'kube-controller-manager', kcm.cert, kcm.key));
    stops.push(startControllerManager(dir, pki, kcmConfig));
    return {
      server,
      host: '127.0.0.1',
      port: api.port,
      caFile: pki.ca,
      kubeconfig,
      admin,
      serving: { cert: pki.serverCert, key: pki.serverKey },
      dir,
      async stop() {
        await stopAll();
        await removeDir(dir);
      },
    };
  } catch (error) {
    await stopAll();
    await removeDir(dir);
    throw error;
  }
}
