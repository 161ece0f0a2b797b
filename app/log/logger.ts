/**
 * winston logger: JSON lines by default (what `kubectl logs` and collectors expect), a readable
 * text format on a terminal or by setting. Every line passes through redaction of the configured
 * secrets, so a DSN password or the master password cannot reach the log even inside an error.
 */
import winston from 'winston';
import type { Config } from '../config/load.js';
import { redactor } from './redact.js';

export type Logger = winston.Logger;

/**
 * Meta key for a line's human wording. JSON output ignores symbol keys, so JSON lines keep their
 * stable message and fields while the text format shows `usage_records: 120/500 (24.0%) …`.
 */
export const HUMAN = Symbol.for('mongo2pg.human');

/** Lines that are part of a printed block (statistics, summary table): text format shows them bare. */
const BLOCK_KINDS = new Set(['statistics', 'summary']);

export function createLogger(config: Pick<Config, 'progress' | 'secrets'>, stream: NodeJS.WritableStream = process.stdout): Logger {
  const redact = redactor(config.secrets);
  const json = config.progress.logFormat === 'json' || (config.progress.logFormat === 'auto' && !(stream as NodeJS.WriteStream).isTTY);
  const redactFormat = winston.format((info) => redact.deep(info) as winston.Logform.TransformableInfo);
  const text = winston.format.printf((info) => {
    const { level, message, timestamp, ...rest } = info;
    if (typeof rest.kind === 'string' && BLOCK_KINDS.has(rest.kind)) return String(message);
    const human = (info as Record<symbol, unknown>)[HUMAN];
    if (typeof human === 'string') return `${String(timestamp)} ${level.padEnd(5)} ${human}`;
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `${String(timestamp)} ${level.padEnd(5)} ${String(message)}${extra}`;
  });
  return winston.createLogger({
    level: config.progress.logLevel,
    format: winston.format.combine(
      winston.format.errors({ stack: false }),
      redactFormat(),
      winston.format.timestamp(),
      json ? winston.format.json() : text,
    ),
    transports: [new winston.transports.Stream({ stream })],
  });
}

/** Waits until everything logged so far is written (before process exit). */
export async function flushLogger(logger: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    logger.on('finish', resolve);
    logger.end();
    setTimeout(resolve, 500).unref();
  });
}
