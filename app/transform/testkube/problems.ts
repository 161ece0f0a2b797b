/**
 * Why one document cannot be mapped faithfully. Deep helpers throw FieldProblem (path + reason);
 * transformExecution turns it into the project's TransformError, adding the record id, so the
 * helpers stay free of per-record context.
 */
import { TransformError } from '../../errors.js';

/** Stable reason codes, carried in TransformError.context.reason; match on these, not on text. */
export type ProblemReason =
  | 'type-mismatch'
  | 'not-integer'
  | 'int32-range'
  | 'int64-range'
  | 'not-finite'
  | 'too-long'
  | 'nul-byte'
  | 'lone-surrogate'
  | 'invalid-date'
  | 'date-range'
  | 'unsupported-bson-type'
  | 'boxed-integer'
  | 'duplicate-field'
  | 'missing-id';

export class FieldProblem extends Error {
  constructor(
    readonly path: string,
    readonly reason: ProblemReason,
    message: string,
  ) {
    super(message);
    this.name = 'FieldProblem';
  }
}

export function fail(path: string, reason: ProblemReason, message: string): never {
  throw new FieldProblem(path, reason, message);
}

export function toTransformError(problem: FieldProblem, dataSet: string, recordId: string | undefined): TransformError {
  return new TransformError(problem.message, {
    field: problem.path,
    cause: problem,
    context: { dataSet, ...(recordId === undefined ? {} : { recordId }), reason: problem.reason },
  });
}

/** Path helpers, so messages read like `result.steps["a.b"].status` or `signature[2].name`. */
export function child(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}
