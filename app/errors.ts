/**
 * Typed errors, grouped by who is at fault. Callers match on `code`, never on message text.
 * Every error that reaches `main` maps to one documented exit code.
 */

export const ExitCode = {
  ok: 0,
  unexpected: 1,
  invalidConfig: 2,
  preflightFailed: 3,
  migrationFailed: 4,
  verificationFailed: 5,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'PREFLIGHT_FAILED'
  | 'SOURCE_UNAVAILABLE'
  | 'SOURCE_READ'
  | 'SINK_UNAVAILABLE'
  | 'SINK_WRITE'
  | 'SCHEMA_MIGRATION'
  | 'TRANSFORM'
  | 'INTEGRITY'
  | 'VERIFICATION'
  | 'REPORT_WRITE'
  | 'MIGRATION_INCOMPLETE'
  | 'INTERRUPTED'
  | 'STALLED'
  | 'INTERNAL';

export interface ErrorContext {
  dataSet?: string;
  recordId?: string;
  batch?: number;
  [key: string]: unknown;
}

export class Mongo2pgError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, exitCode: ExitCode, message: string, options?: { cause?: unknown; context?: ErrorContext }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.context = options?.context ?? {};
  }
}

/** A setting is missing or malformed. Message names the setting, its source and the allowed form. */
export class ConfigError extends Mongo2pgError {
  constructor(message: string, options?: { cause?: unknown; context?: ErrorContext }) {
    super('CONFIG_INVALID', ExitCode.invalidConfig, message, options);
  }
}

/** The pre-flight gate refused to start; nothing has been written. */
export class PreflightError extends Mongo2pgError {
  readonly check: string;
  constructor(check: string, message: string, options?: { cause?: unknown; context?: ErrorContext }) {
    super('PREFLIGHT_FAILED', ExitCode.preflightFailed, message, options);
    this.check = check;
  }
}

export class SourceError extends Mongo2pgError {
  constructor(code: 'SOURCE_UNAVAILABLE' | 'SOURCE_READ', message: string, options?: { cause?: unknown; context?: ErrorContext }) {
    super(code, ExitCode.migrationFailed, message, options);
  }
}

export class SinkError extends Mongo2pgError {
  constructor(code: 'SINK_UNAVAILABLE' | 'SINK_WRITE' | 'SCHEMA_MIGRATION', message: string, options?: { cause?: unknown; context?: ErrorContext }) {
    super(code, ExitCode.migrationFailed, message, options);
  }
}

/** One document cannot be mapped faithfully. Fails that record only. */
export class TransformError extends Mongo2pgError {
  readonly field: string | undefined;
  constructor(message: string, options?: { cause?: unknown; context?: ErrorContext; field?: string }) {
    super('TRANSFORM', ExitCode.migrationFailed, options?.field ? `${options.field}: ${message}` : message, options);
    this.field = options?.field;
  }
}

/** A record references an organisation/environment/user that does not exist. */
export class IntegrityError extends Mongo2pgError {
  constructor(message: string, options?: { cause?: unknown; context?: ErrorContext }) {
    super('INTEGRITY', ExitCode.migrationFailed, message, options);
  }
}

/** An error report could not be written to CONVERT_WORK_DIR (permissions, a full disk): the run cannot account for its failures. */
export class ReportWriteError extends Mongo2pgError {
  constructor(message: string, options?: { cause?: unknown; context?: ErrorContext }) {
    super('REPORT_WRITE', ExitCode.migrationFailed, message, options);
  }
}

export class VerificationError extends Mongo2pgError {
  constructor(message: string, options?: { cause?: unknown; context?: ErrorContext }) {
    super('VERIFICATION', ExitCode.verificationFailed, message, options);
  }
}

/** The run made no progress for CONVERT_STALL_TIMEOUT (a source or target that stopped answering). */
export class StalledError extends Mongo2pgError {
  constructor(message: string, options?: { cause?: unknown; context?: ErrorContext }) {
    super('STALLED', ExitCode.migrationFailed, message, options);
  }
}

export class InterruptedError extends Mongo2pgError {
  constructor(message = 'interrupted by signal', options?: { cause?: unknown; context?: ErrorContext }) {
    super('INTERRUPTED', ExitCode.interrupted, message, options);
  }
}

/** A fault of mongo2pg itself (a transform thread that died, an unexpected exception): no retry can help. */
export class InternalError extends Mongo2pgError {
  constructor(message: string, options?: { cause?: unknown; context?: ErrorContext }) {
    super('INTERNAL', ExitCode.unexpected, message, options);
  }
}

export function isMongo2pgError(err: unknown): err is Mongo2pgError {
  return err instanceof Mongo2pgError;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * A failed record's report context with the reason code of its TransformError added (the value
 * table of docs/data-model.md §2a names one per reported case), so reports can be matched on it.
 */
export function withReason(context: Record<string, unknown>, err: unknown): Record<string, unknown> {
  const reason = err instanceof Mongo2pgError ? err.context.reason : undefined;
  return typeof reason === 'string' ? { ...context, reason } : context;
}
