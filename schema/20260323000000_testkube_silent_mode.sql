-- Testkube PostgreSQL schema, step 5 of 9: the execution's silent mode flags.
-- Same version as kubeshop/testkube .../migrations/20260323000000_silent_mode.sql.

-- +goose Up
ALTER TABLE test_workflow_executions ADD COLUMN silent_mode JSONB;

-- +goose Down
ALTER TABLE test_workflow_executions DROP COLUMN silent_mode;
