// A fault-injecting HTTPS proxy in front of the test API server (test/harness/kube.ts), for the
// failures a real server does not produce on demand. It presents the server's own certificate
// (so a client trusting the cluster CA accepts it) and forwards requests unchanged, bearer
// token included, unless told to fail:
//   'pass'  forward to the real server,
//   'error' answer 500 with a Kubernetes Status body, as an overloaded server does,
//   'hang'  accept the request and never answer.
import { readFileSync } from 'node:fs';
import { request as httpsRequest, createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlPlane } from './kube.js';

export type FaultMode = 'pass' | 'error' | 'hang';

export interface KubeFaultProxy {
  readonly host: string;
  readonly port: number;
  mode: FaultMode;
  /** Requests seen, in order, with what the client got. */
  readonly requests: { method: string; path: string; status: number | 'hung' }[];
  close(): Promise<void>;
}

export async function startKubeFaultProxy(cp: ControlPlane): Promise<KubeFaultProxy> {
  const ca = readFileSync(cp.caFile);
  const hung = new Set<ServerResponse>();
  const proxy: { mode: FaultMode; requests: KubeFaultProxy['requests'] } = { mode: 'pass', requests: [] };
  const server: Server = createServer({ cert: readFileSync(cp.serving.cert), key: readFileSync(cp.serving.key) }, (req: IncomingMessage, res: ServerResponse) => {
    const entry: KubeFaultProxy['requests'][number] = { method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', status: 'hung' };
    proxy.requests.push(entry);
    if (proxy.mode === 'hang') {
      req.resume();
      hung.add(res);
      return;
    }
    if (proxy.mode === 'error') {
      req.resume();
      entry.status = 500;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request timed out', reason: 'InternalError', code: 500 }));
      return;
    }
    const upstream = httpsRequest(
      { host: cp.host, port: cp.port, method: req.method, path: req.url, headers: req.headers, ca },
      (up) => {
        entry.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    get mode() {
      return proxy.mode;
    },
    set mode(m: FaultMode) {
      proxy.mode = m;
    },
    requests: proxy.requests,
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
