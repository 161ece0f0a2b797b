-- +goose NO TRANSACTION
-- Testkube PostgreSQL schema, step 8 of 9: newest-first pages per runner and status.
-- Same version as kubeshop/testkube .../migrations/20260529110000_index_executions_runner_status_scheduled.sql.
-- The index is dropped first: an interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index
-- that IF NOT EXISTS would keep.

-- +goose Up
DROP INDEX CONCURRENTLY IF EXISTS idx_twe_org_env_runner_status_sched;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_twe_org_env_runner_status_sched
    ON test_workflow_executions (organization_id, environment_id, runner_id, status, scheduled_at DESC);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS idx_twe_org_env_runner_status_sched;
