/**
 * STAND-IN for the Kubernetes API server — not a real one. No Kubernetes control plane can run
 * here, so this small HTTPS server plays the one part mongo2pg talks to, and enforces the rules
 * the real API server would apply to that call:
 *
 * - TLS with a CA the client must trust (the pod's service-account `ca.crt`);
 * - `Authorization: Bearer <service-account token>`, else 401 (Status object, like the real one);
 * - RBAC as the chart grants it: the service account may `get` and `patch` exactly one Job,
 *   `/apis/batch/v1/namespaces/{ns}/jobs/{name}`; any other object, verb or path is 403;
 * - PATCH needs `Content-Type: application/merge-patch+json` (other patch types: 415), applies
 *   it per RFC 7386, and rejects what the API's validation would: annotations that are not
 *   strings (400), invalid annotation keys or more than 256 KiB of annotations (422).
 *
 * It also plays a broken API on request (`mode`): answering 500, or never answering.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

export interface StoredJob {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: { name: string; namespace: string; resourceVersion: string; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  status: number;
  body: unknown;
}

export type StandInMode = 'ok' | 'error' | 'hang';

export interface KubeApiStandIn {
  /** Host and port to put in KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT. */
  readonly host: string;
  readonly port: number;
  /** Directory with `token`, `ca.crt` and `namespace`, as mounted into a pod (KUBE_SERVICE_ACCOUNT_DIR). */
  readonly serviceAccountDir: string;
  readonly token: string;
  /** Jobs by `namespace/name`; the test reads annotations from here. */
  readonly jobs: Map<string, StoredJob>;
  readonly requests: RecordedRequest[];
  mode: StandInMode;
  close(): Promise<void>;
}

export interface StandInOptions {
  /** Working directory for the certificate and service-account files. */
  dir: string;
  namespace: string;
  /** The Job that exists and that the service account may patch. */
  jobName: string;
  /** Further Jobs that exist but the service account may not touch. */
  otherJobs?: string[];
  mode?: StandInMode;
}

const ANNOTATIONS_MAX_BYTES = 256 * 1024;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Self-signed certificate for 127.0.0.1 that serves as its own CA (the pod's ca.crt). */
function makeCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'tls.key');
  const cert = join(dir, 'tls.crt');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=kube-api-stand-in', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { key, cert };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function annotationProblem(annotations: unknown): { status: number; message: string } | null {
  if (annotations === undefined) return null;
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) {
    return { status: 400, message: 'json: cannot unmarshal into Go struct field ObjectMeta.metadata.annotations of type map[string]string' };
  }
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) {
    if (typeof value !== 'string') return { status: 400, message: `json: cannot unmarshal ${typeof value} into Go struct field ObjectMeta.metadata.annotations of type string` };
    const slash = key.indexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if ((slash >= 0 && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) || !QUALIFIED_NAME.test(name)) {
      return { status: 422, message: `metadata.annotations: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'` };
    }
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > ANNOTATIONS_MAX_BYTES) return { status: 422, message: 'metadata.annotations: Too long: must have at most 262144 bytes' };
  return null;
}

export async function startKubeApiStandIn(options: StandInOptions): Promise<KubeApiStandIn> {
  const serviceAccountDir = join(options.dir, 'serviceaccount');
  mkdirSync(serviceAccountDir, { recursive: true });
  const { key, cert } = makeCertificate(options.dir);
  const token = `stand-in-token-${Math.random().toString(36).slice(2)}`;
  // Written like the kubelet does: no trailing newline.
  writeFileSync(join(serviceAccountDir, 'token'), token);
  writeFileSync(join(serviceAccountDir, 'namespace'), options.namespace);
  copyFileSync(cert, join(serviceAccountDir, 'ca.crt'));

  const jobs = new Map<string, StoredJob>();
  let version = 1;
  for (const name of [options.jobName, ...(options.otherJobs ?? [])]) {
    jobs.set(`${options.namespace}/${name}`, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: options.namespace, resourceVersion: String(version++), annotations: { 'helm.sh/hook': 'pre-upgrade' } } });
  }
  const allowed = `${options.namespace}/${options.jobName}`;
  const user = `system:serviceaccount:${options.namespace}:mongo2pg`;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const state: KubeApiStandIn = {
    host: '127.0.0.1',
    port: 0,
    serviceAccountDir,
    token,
    jobs,
    requests,
    mode: options.mode ?? 'ok',
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const status = (res: ServerResponse, code: number, reason: string, message: string): unknown => {
    const body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
    return body;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'https://stand-in').pathname;
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    const record: RecordedRequest = { method: req.method ?? '', path, contentType, authorization: req.headers.authorization, status: 0, body: undefined };
    requests.push(record);
    const reply = (code: number, reason: string, message: string): void => {
      record.status = code;
      status(res, code, reason, message);
    };

    if (req.headers.authorization !== `Bearer ${token}`) return reply(401, 'Unauthorized', 'Unauthorized');
    const match = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/.exec(path);
    const verb = req.method === 'PATCH' ? 'patch' : req.method === 'GET' ? 'get' : (req.method ?? '').toLowerCase();
    if (!match || `${match[1]}/${match[2]}` !== allowed || (verb !== 'patch' && verb !== 'get')) {
      const what = match ? `jobs.batch "${match[2]}"` : `${path}`;
      return reply(403, 'Forbidden', `${what} is forbidden: User "${user}" cannot ${verb} resource "jobs" in API group "batch" in the namespace "${match?.[1] ?? ''}"`);
    }
    if (state.mode === 'hang') return; // never answers; the client must time out
    if (state.mode === 'error') return reply(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out');
    const job = jobs.get(allowed);
    if (!job) return reply(404, 'NotFound', `jobs.batch "${match[2]}" not found`);
    if (verb === 'get') {
      record.status = 200;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(job));
      return;
    }
    if (contentType !== 'application/merge-patch+json') {
      return reply(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (stand-in accepts merge patch only; got ${contentType ?? 'none'})`);
    }
    let patch: unknown;
    try {
      patch = JSON.parse(raw);
    } catch {
      return reply(400, 'BadRequest', 'error decoding patch: invalid JSON');
    }
    record.body = patch;
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return reply(400, 'BadRequest', 'patch must be a JSON object');
    const merged = mergePatch(job, patch) as StoredJob;
    const problem = annotationProblem(merged.metadata?.annotations);
    if (problem) return reply(problem.status, problem.status === 422 ? 'Invalid' : 'BadRequest', problem.message);
    if (merged.metadata?.name !== job.metadata.name || merged.metadata?.namespace !== job.metadata.namespace) {
      return reply(400, 'BadRequest', 'the name or namespace of the object does not match the request');
    }
    merged.metadata.resourceVersion = String(version++);
    jobs.set(allowed, merged);
    record.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(merged));
  };

  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) status(res, 500, 'InternalError', String(err));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  (state as { port: number }).port = (server.address() as AddressInfo).port;
  return state;
}
