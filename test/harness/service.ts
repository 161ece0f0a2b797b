// The shape every harness service returns, and the retry used when a freshly chosen
// port is taken by someone else before the service binds it.
import { logTail } from './files.js';
import { waitUntil, type ServiceProcess } from './process.js';

export interface RunningService {
  /** Connection URL (PostgreSQL superuser URL, mongodb:// URL, or http:// base URL). */
  readonly url: string;
  /** Where the service came from: started here, or given by URL in the environment. */
  readonly origin: 'local' | 'external';
  /** Stops a locally started service and removes its data; a no-op for external ones. */
  stop(): Promise<void>;
}

export class PortTakenError extends Error {
  override readonly name = 'PortTakenError';
}

const PORT_TAKEN = /address already in use|could not bind|bind: address|EADDRINUSE/i;

export function looksLikePortTaken(log: string): boolean {
  return PORT_TAKEN.test(log);
}

/** Runs `attempt` again (with a new port inside) when it fails with PortTakenError. */
export async function withPortRetry<T>(attempt: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof PortTakenError) || i >= attempts) throw error;
    }
  }
}

/**
 * Waits until `probe` succeeds for a service just spawned. On failure the process is
 * stopped and the error carries the tail of its log; a port clash becomes
 * PortTakenError so withPortRetry can try another port.
 */
export async function awaitReady(
  proc: ServiceProcess,
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs: number },
): Promise<void> {
  try {
    await waitUntil(what, probe, {
      ...options,
      failure: () => {
        const reason = proc.exitReason();
        return reason && `process ended (${reason})`;
      },
    });
  } catch (error) {
    await proc.stop(2_000);
    const log = await logTail(proc.logFile);
    if (looksLikePortTaken(log)) throw new PortTakenError(`${what}: port taken`);
    throw new Error(`${(error as Error).message}\n--- ${proc.logFile} (tail) ---\n${log}`, { cause: error });
  }
}
