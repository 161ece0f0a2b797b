/**
 * The Testkube tables this transform fills and the columns it writes, in the physical order of
 * the final schema (pkg/database/postgres/sqlc/models.go; fact sheet §2). created_at/updated_at
 * are left out on purpose: Testkube's own INSERTs never set them either, so they take their
 * DEFAULT now() (see docs/testkube-executions.md).
 */
import type { TableSpec } from '../../datasets/types.js';

export const EXECUTIONS_TABLE = {
  table: 'test_workflow_executions',
  columns: [
    'id',
    'name',
    'namespace',
    'number',
    'test_workflow_execution_name',
    'group_id',
    'runner_id',
    'runner_target',
    'runner_original_target',
    'disable_webhooks',
    'tags',
    'running_context',
    'config_params',
    'scheduled_at',
    'assigned_at',
    'status_at',
    'organization_id',
    'environment_id',
    'runtime',
    'silent_mode',
    'workflow_name',
    'status',
  ],
  conflictKey: ['id'],
} as const satisfies TableSpec;

export const RESULTS_TABLE = {
  table: 'test_workflow_results',
  columns: [
    'execution_id',
    'status',
    'predicted_status',
    'duration',
    'total_duration',
    'duration_ms',
    'paused_ms',
    'total_duration_ms',
    'pauses',
    'initialization',
    'steps',
    'queued_at',
    'started_at',
    'finished_at',
  ],
  conflictKey: ['execution_id'],
} as const satisfies TableSpec;

export const SIGNATURES_TABLE = {
  table: 'test_workflow_signatures',
  columns: ['execution_id', 'ref', 'name', 'category', 'optional', 'negative', 'sig_order', 'id', 'parent_id'],
  conflictKey: ['id'],
} as const satisfies TableSpec;

export const OUTPUTS_TABLE = {
  table: 'test_workflow_outputs',
  columns: ['execution_id', 'ref', 'name', 'value', 'out_order', 'id'],
  conflictKey: ['id'],
} as const satisfies TableSpec;

export const REPORTS_TABLE = {
  table: 'test_workflow_reports',
  columns: ['execution_id', 'ref', 'kind', 'file', 'summary', 'rep_order', 'id'],
  conflictKey: ['id'],
} as const satisfies TableSpec;

export const RESOURCE_AGGREGATIONS_TABLE = {
  table: 'test_workflow_resource_aggregations',
  columns: ['execution_id', 'global', 'step'],
  conflictKey: ['execution_id'],
} as const satisfies TableSpec;

export const WORKFLOWS_TABLE = {
  table: 'test_workflows',
  columns: [
    'execution_id',
    'workflow_type',
    'name',
    'namespace',
    'description',
    'labels',
    'annotations',
    'spec',
    'read_only',
    'status',
    'created',
    'updated',
    'id',
  ],
  conflictKey: ['execution_id', 'workflow_type'],
} as const satisfies TableSpec;

export const EXECUTION_SEQUENCES_TABLE = {
  table: 'execution_sequences',
  columns: ['name', 'number', 'organization_id', 'environment_id'],
  conflictKey: ['name', 'organization_id', 'environment_id'],
} as const satisfies TableSpec;

/** Tables written by transformExecution, parents first (FK order, fact sheet §3). */
export const EXECUTION_TABLES = [
  EXECUTIONS_TABLE,
  RESULTS_TABLE,
  SIGNATURES_TABLE,
  OUTPUTS_TABLE,
  REPORTS_TABLE,
  RESOURCE_AGGREGATIONS_TABLE,
  WORKFLOWS_TABLE,
] as const;

/** VARCHAR limits of the final schema (fact sheet §6). */
export const VARCHAR = { id: 255, name: 255, status: 50, duration: 100, file: 500 } as const;
