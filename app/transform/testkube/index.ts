/** Testkube test workflow executions and execution sequences → Testkube's PostgreSQL schema. */
export {
  EXECUTION_SEQUENCES_TABLE,
  EXECUTION_TABLES,
  EXECUTIONS_TABLE,
  OUTPUTS_TABLE,
  REPORTS_TABLE,
  RESOURCE_AGGREGATIONS_TABLE,
  RESULTS_TABLE,
  SIGNATURES_TABLE,
  VARCHAR,
  WORKFLOWS_TABLE,
} from './columns.js';
export {
  executionWorkflowNumber,
  transformExecution,
  TESTKUBE_EXECUTIONS_DATA_SET,
  type ExecutionContext,
  type ExecutionOptions,
  type TimeRepairKind,
} from './execution.js';
export {
  goDurationString,
  healDurations,
  isUsableTime,
  MIN_USABLE_TIME_MS,
  repairExecutionTime,
  roundToMs,
  synthesizeScheduledAt,
  type ExecutionTimes,
  type HealedDurations,
  type ResultTimes,
  type TimeRepair,
} from './execution-time.js';
export type { DropReason, WalkOptions } from './go-json.js';
export { rowId, TESTKUBE_ID_NAMESPACE, uuidV5 } from './ids.js';
export type { ProblemReason } from './problems.js';
export {
  computeSequences,
  TESTKUBE_SEQUENCES_DATA_SET,
  type IgnoredSequence,
  type IgnoredSequenceReason,
  type SequenceDecision,
  type SequenceSource,
  type SequencesInput,
  type SequencesResult,
} from './sequences.js';
