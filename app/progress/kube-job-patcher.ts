/**
 * PATCHes the migration Job's annotations through the Kubernetes API with the pod's service
 * account, exactly as client-go's in-cluster config does: https://$KUBERNETES_SERVICE_HOST:$PORT,
 * the service-account CA, and the (rotating) token file re-read by the client. The only
 * difference from `KubeConfig.loadFromCluster()` is that the host, port and service-account
 * directory come from the configuration instead of process.env and a fixed path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { Config } from '../config/load.js';
import type { Annotations, JobPatcher } from './job-annotations.js';

const REQUEST_TIMEOUT_MS = 5000;

export type KubeSettings = Pick<Config['progress'], 'jobName' | 'jobNamespace' | 'kubeHost' | 'kubePort' | 'kubeServiceAccountDir'>;

/** Why annotations are off, or where they go. Decided from settings and files only; no I/O to the API. */
export type KubeTarget =
  | { enabled: false; reason: string }
  | { enabled: true; server: string; name: string; namespace: string; tokenFile: string; caFile: string };

export function kubeTarget(s: KubeSettings): KubeTarget {
  if (s.jobName === '') return { enabled: false, reason: 'JOB_NAME is not set' };
  if (s.kubeHost === '') return { enabled: false, reason: 'not running in a Kubernetes cluster (KUBERNETES_SERVICE_HOST is not set)' };
  const tokenFile = join(s.kubeServiceAccountDir, 'token');
  const caFile = join(s.kubeServiceAccountDir, 'ca.crt');
  if (!existsSync(tokenFile)) return { enabled: false, reason: `no service-account token at ${tokenFile} (automountServiceAccountToken off?)` };
  let namespace = s.jobNamespace;
  const namespaceFile = join(s.kubeServiceAccountDir, 'namespace');
  if (namespace === '' && existsSync(namespaceFile)) namespace = readFileSync(namespaceFile, 'utf8').trim();
  if (namespace === '') return { enabled: false, reason: 'JOB_NAMESPACE is not set and the service account has no namespace file' };
  // Same rule as client-node's loadFromCluster: the insecure API ports are plain http.
  const scheme = ['80', '8080', '8001'].includes(s.kubePort) ? 'http' : 'https';
  const host = isIPv6(s.kubeHost) ? `[${s.kubeHost}]` : s.kubeHost;
  return { enabled: true, server: `${scheme}://${host}:${s.kubePort}`, name: s.jobName, namespace, tokenFile, caFile };
}

type PatchJob = (annotations: Annotations) => Promise<void>;

/**
 * @kubernetes/client-node is large (seconds to load on a slow volume), so it is loaded only when
 * annotations are on, and in the background: the migration does not wait for it; the first
 * PATCH does.
 */
export function kubeJobPatcher(target: Extract<KubeTarget, { enabled: true }>): JobPatcher {
  const client = loadClient(target);
  // A failed load surfaces on the first patch (and is logged there); not as an unhandled rejection.
  client.catch(() => undefined);
  return {
    target: `${target.namespace}/${target.name}`,
    async patchAnnotations(annotations: Annotations): Promise<void> {
      const patch = await client;
      try {
        await patch(annotations);
      } catch (err) {
        throw new Error(describeApiError(err), { cause: err });
      }
    },
  };
}

async function loadClient(target: Extract<KubeTarget, { enabled: true }>): Promise<PatchJob> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'inCluster', server: target.server, caFile: target.caFile, skipTLSVerify: false },
    { name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: target.tokenFile } } },
  );
  const api = kc.makeApiClient(k8s.BatchV1Api);
  const timeout: import('@kubernetes/client-node').ObservableMiddleware = {
    pre: (ctx) => {
      ctx.setSignal(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
      return new k8s.Observable(Promise.resolve(ctx));
    },
    post: (res) => new k8s.Observable(Promise.resolve(res)),
  };
  // The generated client would send application/json-patch+json; annotations are a merge patch.
  const options = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch, { middleware: [timeout], middlewareMergeStrategy: 'append' });
  return async (annotations) => {
    await api.patchNamespacedJob({ name: target.name, namespace: target.namespace, body: { metadata: { annotations } } }, options);
  };
}

/** ApiException messages carry the whole response with headers; keep the status and reason. */
function describeApiError(err: unknown): string {
  const e = err as { code?: unknown; body?: unknown; headers?: unknown; name?: unknown };
  // AbortSignal.timeout() rejects with a DOMException named TimeoutError (whose legacy code is 23).
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `Kubernetes API did not answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  if (typeof e.code === 'number' && e.headers !== undefined) {
    let reason = '';
    try {
      const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { message?: unknown } | undefined;
      if (body && typeof body.message === 'string') reason = `: ${body.message}`;
    } catch {
      // body is not JSON; the status says enough
    }
    return `Kubernetes API answered HTTP ${e.code}${reason}`;
  }
  const cause = (err as { cause?: { message?: unknown } }).cause;
  const message = err instanceof Error ? err.message : String(err);
  return typeof cause?.message === 'string' ? `${message}: ${cause.message}` : message;
}
