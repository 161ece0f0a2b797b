/** Everything an engine needs, passed down once from `main`. */
import type { Db } from 'mongodb';
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { Pool } from '../sink/postgres.js';

export interface ProgressSink {
  taskStarted(task: string, total: number): void;
  taskProgress(task: string, done: number): void;
  taskFinished(task: string): void;
}

export interface EngineContext {
  config: Config;
  db: Db;
  pool: Pool;
  logger: Logger;
  redact: Redactor;
  signal: AbortSignal;
  progress?: ProgressSink;
}
