-- +goose NO TRANSACTION
-- Testkube PostgreSQL schema, step 9 of 9: a partial index over the executions that carry tags.
-- Same version as kubeshop/testkube .../migrations/20260702140000_add_twe_tags_partial_index.sql.
-- Few executions have tags; the tag listing filters by organisation/environment and only wants
-- those rows. The predicate matches that query's, including JSON-'null' and '{}' tags.
-- Dropped first for the same reason as step 8 (an INVALID leftover from CONCURRENTLY).

-- +goose Up
DROP INDEX CONCURRENTLY IF EXISTS idx_twe_org_env_tagged;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_twe_org_env_tagged
    ON test_workflow_executions (organization_id, environment_id)
    WHERE tags IS NOT NULL
      AND tags <> '{}'::jsonb
      AND jsonb_typeof(tags) = 'object';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS idx_twe_org_env_tagged;
