-- Testkube PostgreSQL schema, step 6 of 9: workflow_name and status copied onto executions.
-- Same version as kubeshop/testkube .../migrations/20260422120000_denormalize_execution_status_name.sql.
-- Lists and totals filter and sort on these two columns without joining. Two AFTER triggers keep
-- them equal to the source rows: results.status, and the name of the 'workflow' row (not the
-- 'resolved_workflow' one). A bulk load that disables triggers must fill both itself (fact sheet §5).

-- +goose Up
ALTER TABLE test_workflow_executions
    ADD COLUMN workflow_name VARCHAR(255),
    ADD COLUMN status VARCHAR(50);

-- Backfill rows that existed before this step.
UPDATE test_workflow_executions AS e
   SET workflow_name = w.name
  FROM test_workflows AS w
 WHERE w.execution_id = e.id
   AND w.workflow_type = 'workflow'
   AND e.workflow_name IS NULL;

UPDATE test_workflow_executions AS e
   SET status = r.status
  FROM test_workflow_results AS r
 WHERE r.execution_id = e.id
   AND e.status IS NULL;

-- Both functions skip the write when the value is unchanged. (Comments stay outside the bodies
-- so the stored function source is the same as Testkube's.)
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sync_execution_status() RETURNS trigger AS $$
BEGIN
    UPDATE test_workflow_executions
       SET status = NEW.status
     WHERE id = NEW.execution_id
       AND status IS DISTINCT FROM NEW.status;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER trg_sync_execution_status
    AFTER INSERT OR UPDATE OF status ON test_workflow_results
    FOR EACH ROW EXECUTE FUNCTION sync_execution_status();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sync_execution_workflow_name() RETURNS trigger AS $$
BEGIN
    IF NEW.workflow_type = 'workflow' THEN
        UPDATE test_workflow_executions
           SET workflow_name = NEW.name
         WHERE id = NEW.execution_id
           AND workflow_name IS DISTINCT FROM NEW.name;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER trg_sync_execution_workflow_name
    AFTER INSERT OR UPDATE OF name, workflow_type ON test_workflows
    FOR EACH ROW EXECUTE FUNCTION sync_execution_workflow_name();

-- +goose Down
DROP TRIGGER IF EXISTS trg_sync_execution_workflow_name ON test_workflows;
DROP TRIGGER IF EXISTS trg_sync_execution_status ON test_workflow_results;
DROP FUNCTION IF EXISTS sync_execution_workflow_name();
DROP FUNCTION IF EXISTS sync_execution_status();
ALTER TABLE test_workflow_executions
    DROP COLUMN IF EXISTS workflow_name,
    DROP COLUMN IF EXISTS status;
