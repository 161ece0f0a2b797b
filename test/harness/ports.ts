// Free TCP ports on the loopback interface, so services never collide with a system
// server (e.g. PostgreSQL on 5432) or with a parallel test run.
import { createServer } from 'node:net';

/**
 * Asks the kernel for an unused port on 127.0.0.1. The port is released before the
 * caller binds it, so another process can take it in between; callers retry start-up
 * with a new port when the service reports "address in use".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}
