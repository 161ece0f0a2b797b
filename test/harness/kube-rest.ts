// A small REST client for the test control plane (test/harness/kube.ts): JSON over HTTPS
// with the cluster CA and either a client certificate or a bearer token, plus list+watch.
// Tests and the process kubelet use it to see exactly what the real server answers
// (status codes included), which the product's own client (@kubernetes/client-node) hides.
import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import type { ControlPlane } from './kube.js';

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Identity = { cert: string; key: string } | { token: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Obj;
}

export class KubeRest {
  private readonly tls: RequestOptions;

  constructor(
    readonly server: string,
    caFile: string,
    private readonly identity: Identity,
  ) {
    // A connection per request (agent: false): a reused keep-alive socket after an answer the server
    // gave before reading the request body once made it answer the next request with a bare 400.
    this.tls = { agent: false, ca: readFileSync(caFile), ...('cert' in identity ? { cert: readFileSync(identity.cert), key: readFileSync(identity.key) } : {}) };
  }

  /** The cluster administrator (system:masters), as helm and kubectl are configured. */
  static admin(cp: ControlPlane): KubeRest {
    return new KubeRest(cp.server, cp.caFile, cp.admin);
  }

  /** Another identity on the same server, e.g. a pod's service-account token. */
  as(identity: Identity, caFile: string): KubeRest {
    return new KubeRest(this.server, caFile, identity);
  }

  /** Any answer, status included; rejects only when the server cannot be reached. */
  call<T = Obj>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if ('token' in this.identity) headers.authorization = `Bearer ${this.identity.token}`;
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.server), { ...this.tls, method, headers, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON (e.g. plain-text logs); keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A 2xx answer's body; anything else throws KubeApiError with the server's message. */
  async ok<T = Obj>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.call<T>(method, path, body, contentType);
    if (res.status < 200 || res.status > 299) {
      const message = (res.body as { message?: string } | undefined)?.message ?? JSON.stringify(res.body);
      throw new KubeApiError(res.status, `${method} ${path}: HTTP ${res.status}: ${message}`);
    }
    return res.body;
  }

  get<T = Obj>(path: string): Promise<T> {
    return this.ok<T>('GET', path);
  }

  /** The object, or undefined when the server answers 404. */
  async find<T = Obj>(path: string): Promise<T | undefined> {
    const res = await this.call<T>('GET', path);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new KubeApiError(res.status, `GET ${path}: HTTP ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /**
   * Lists `path` and then watches it from the list's resourceVersion, calling `onEvent` for
   * every object (listed ones as ADDED); lists again when the watch ends. Stops with `signal`.
   */
  async listWatch(path: string, onEvent: (e: WatchEvent) => void | Promise<void>, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const list = await this.get<{ metadata: { resourceVersion: string }; items: Obj[] }>(path);
        for (const item of list.items) await onEvent({ type: 'ADDED', object: item });
        await this.watchFrom(path, list.metadata.resourceVersion, onEvent, signal);
      } catch (error) {
        if (signal.aborted) return;
        // The server restarting or a watch "too old": list again after a breath.
        await new Promise((r) => setTimeout(r, 500));
        void error;
      }
    }
  }

  private watchFrom(path: string, resourceVersion: string, onEvent: (e: WatchEvent) => void | Promise<void>, signal: AbortSignal): Promise<void> {
    const url = new URL(path, this.server);
    url.searchParams.set('watch', '1');
    url.searchParams.set('resourceVersion', resourceVersion);
    url.searchParams.set('allowWatchBookmarks', 'false');
    const headers: Record<string, string> = { accept: 'application/json' };
    if ('token' in this.identity) headers.authorization = `Bearer ${this.identity.token}`;
    return new Promise((resolve, reject) => {
      const req = request(url, { ...this.tls, method: 'GET', headers, signal }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new KubeApiError(res.statusCode ?? 0, `watch ${path}: HTTP ${res.statusCode}`));
          return;
        }
        let buffer = '';
        // Events are handled one at a time, in order.
        let chain = Promise.resolve();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            const event = JSON.parse(line) as WatchEvent;
            chain = chain.then(() => (event.type === 'ERROR' ? reject(new Error(`watch ${path}: ${JSON.stringify(event.object)}`)) : onEvent(event)));
          }
        });
        res.on('end', () => void chain.then(resolve, reject));
        res.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
      });
      req.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
      req.end();
    });
  }
}
