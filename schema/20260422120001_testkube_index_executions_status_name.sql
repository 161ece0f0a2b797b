-- +goose NO TRANSACTION
-- Testkube PostgreSQL schema, step 7 of 9: composite indexes on the denormalised columns.
-- Same version as kubeshop/testkube .../migrations/20260422120001_index_executions_status_name.sql.
-- CREATE INDEX CONCURRENTLY cannot run inside a transaction, hence NO TRANSACTION, as in Testkube.

-- +goose Up
-- Totals per workflow and status, answered from the index alone.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_twe_org_env_wfname_status
    ON test_workflow_executions (organization_id, environment_id, workflow_name, status);

-- Newest-first pages per workflow.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_twe_org_env_wfname_sched
    ON test_workflow_executions (organization_id, environment_id, workflow_name, scheduled_at DESC);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS idx_twe_org_env_wfname_sched;
DROP INDEX CONCURRENTLY IF EXISTS idx_twe_org_env_wfname_status;
