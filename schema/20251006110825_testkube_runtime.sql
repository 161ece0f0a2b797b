-- Testkube PostgreSQL schema, step 3 of 9: the execution runtime (variables), GIN-indexed.
-- Same version as kubeshop/testkube .../migrations/20251006110825_runtime.sql.

-- +goose Up
ALTER TABLE test_workflow_executions ADD COLUMN runtime JSONB;
CREATE INDEX idx_test_workflow_executions_runtime ON test_workflow_executions USING GIN (runtime);

-- +goose Down
DROP INDEX IF EXISTS idx_test_workflow_executions_runtime;
ALTER TABLE test_workflow_executions DROP COLUMN runtime;
