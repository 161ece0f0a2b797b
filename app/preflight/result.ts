/** What each pre-flight check reports, and the gate's overall result. */

/** Stable check names: logs, PreflightError.check and docs use these. */
export type CheckName =
  | 'mongo-reachable'
  | 'postgres-reachable'
  | 'source-collections'
  | 'target-empty'
  | 'master-password-length'
  | 'master-password'
  | 'postgres-permissions'
  | 'work-dir'
  | 'single-run';

export interface CheckResult {
  check: CheckName;
  /** 'warn' passes the gate but is worth reading; 'fail' refuses to start. */
  status: 'pass' | 'warn' | 'fail';
  message: string;
  details?: Record<string, unknown>;
}

export interface SourceCount {
  dataSet: string;
  phase: 'record' | 'bulk';
  /** Collections read; several for per-organisation(/environment) data sets. */
  collections: number;
  /** Documents in those collections, from the collection metadata (fast, approximate). */
  documents: number;
  estimated: true;
  /** The data set reads only part of its collection (e.g. CONVERT_SINCE for usage records). */
  filtered: boolean;
}

export interface PreflightReport {
  checks: CheckResult[];
  sources: SourceCount[];
  /** The target holds this tool's unfinished migration (or CONVERT_SKIP_EXISTING is set): records already there are kept and skipped. */
  resume: boolean;
}

export const pass = (check: CheckName, message: string, details?: Record<string, unknown>): CheckResult => ({ check, status: 'pass', message, ...(details ? { details } : {}) });
export const warn = (check: CheckName, message: string, details?: Record<string, unknown>): CheckResult => ({ check, status: 'warn', message, ...(details ? { details } : {}) });
export const fail = (check: CheckName, message: string, details?: Record<string, unknown>): CheckResult => ({ check, status: 'fail', message, ...(details ? { details } : {}) });
