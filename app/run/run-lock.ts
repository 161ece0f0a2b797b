/**
 * One run at a time per target database (issue 13): a session-level advisory lock, taken with
 * pg_try_advisory_lock on a connection of its own before the pre-flight gate and held until the
 * run ends. A second run is refused at once (exit 3) instead of meeting the first one in the
 * schema step (deadlocks) or in the tables (duplicate keys). Advisory locks are per database,
 * so the key is a constant. Ending the session releases the lock, so a killed run leaves none.
 */
import pg from 'pg';
import type { Config } from '../config/load.js';
import { PreflightError, SinkError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { retry } from '../util/retry.js';

/** "m2p-run" in ASCII; differs from the schema step's key (app/schema-migrations/migrator.ts). */
export const RUN_LOCK_KEY = 0x6d32702d72756en;
export const RUN_LOCK_APPLICATION = 'mongo2pg-run-lock';

export interface RunLock {
  release(): Promise<void>;
}

export interface LockHolder {
  pid: number;
  application: string | null;
  client: string | null;
  since: Date | null;
}

/** Who holds the lock (for the refusal message); null when nobody visible does. */
async function holder(client: pg.Client): Promise<LockHolder | null> {
  const key = RUN_LOCK_KEY;
  const { rows } = await client.query<{ pid: number; application: string | null; client: string | null; since: Date | null }>(
    `SELECT a.pid, a.application_name AS application, host(a.client_addr) AS client, a.backend_start AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid AND l.objsubid = 1
      LIMIT 1`,
    [(key >> 32n).toString(), (key & 0xffffffffn).toString()],
  );
  return rows[0] ?? null;
}

async function connect(config: Config): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: config.postgres.url, connectionTimeoutMillis: config.postgres.connectionTimeout, application_name: RUN_LOCK_APPLICATION });
  await client.connect();
  return client;
}

async function tryLock(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [RUN_LOCK_KEY.toString()]);
  return rows[0]?.ok === true;
}

/**
 * Takes the run lock or refuses the run (PreflightError, exit 3) naming who holds it. Should the
 * lock's session be lost mid-run (PostgreSQL restarted, the backend terminated), it is taken
 * again on a new session; if another run got it meanwhile, `onLost` stops this run.
 */
export async function acquireRunLock(config: Config, logger: Logger, onLost: (err: Error) => void): Promise<RunLock> {
  let client = await connect(config);
  let released = false;
  const refuse = (h: LockHolder | null): PreflightError => {
    const who = h ? ` (PostgreSQL session ${h.pid}${h.client ? ` from ${h.client}` : ''}${h.since ? `, connected since ${h.since.toISOString()}` : ''})` : '';
    return new PreflightError('single-run', `pre-flight gate refused to start, nothing was written: [single-run] another mongo2pg run is migrating into this database${who}; only one run at a time per target. Wait for it to end (or stop it), then run again: an unfinished migration resumes by itself`, { context: { check: 'single-run', ...(h ? { holder_pid: h.pid } : {}) } });
  };
  const watch = (c: pg.Client): void => {
    c.on('error', (err) => {
      if (released) return;
      logger.warn('the session holding the run lock was lost; taking the lock again', { error: errorMessage(err) });
      void regain();
    });
  };
  const regain = async (): Promise<void> => {
    try {
      client = await retry(async () => {
        const c = await connect(config);
        try {
          if (!(await tryLock(c))) throw refuse(await holder(c));
        } catch (err) {
          await c.end().catch(() => undefined);
          throw err;
        }
        return c;
      }, { attempts: config.postgres.connectionAttempts, delayMs: config.postgres.connectionDelay, retryable: (err) => !(err instanceof PreflightError) });
      if (released) {
        await client.end().catch(() => undefined);
        return;
      }
      watch(client);
      logger.info('run lock taken again');
    } catch (err) {
      onLost(new SinkError('SINK_UNAVAILABLE', `lost the run lock and could not take it again: ${errorMessage(err)}`, { cause: err }));
    }
  };
  try {
    if (!(await tryLock(client))) throw refuse(await holder(client));
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  watch(client);
  logger.info('run lock taken: no other mongo2pg run can migrate into this database until this one ends', { kind: 'preflight', check: 'single-run' });
  return {
    async release() {
      released = true;
      // Ending the session releases a session-level advisory lock.
      await client.end().catch(() => undefined);
    },
  };
}
