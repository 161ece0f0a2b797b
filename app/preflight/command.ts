/** `mongo2pg preflight`: connect, run the gate, disconnect. Writes nothing. */
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import { connectSink } from '../sink/postgres.js';
import { connectSource } from '../source/mongo.js';
import { preflightSettings, runPreflight } from './gate.js';
import type { PreflightReport } from './result.js';

export async function preflightCommand(deps: { config: Config; logger: Logger; signal: AbortSignal; schemaDir: string }): Promise<PreflightReport> {
  const { config, logger, signal } = deps;
  preflightSettings(config);
  const source = await connectSource(config, logger, signal);
  try {
    const pool = await connectSink(config, logger, signal);
    try {
      return await runPreflight({ config, db: source.db, pool, logger, schemaDir: deps.schemaDir });
    } finally {
      await pool.end();
    }
  } finally {
    await source.close();
  }
}
