-- +goose Up
-- Secondary indexes of the control-plane bulk tables (docs/data-model/bulk.md). The migration
-- creates them on empty tables; the bulk phase sets them aside during its load and rebuilds
-- them afterwards (app/engine/deferred-constraints.ts), so they are built once, not row by row.
CREATE INDEX usage_records_org_time_idx ON usage_records (organization_id, recorded_at);
CREATE INDEX usage_records_org_env_metric_time_idx ON usage_records (organization_id, environment_id, metric, recorded_at);
CREATE INDEX usage_records_metric_time_idx ON usage_records (metric, recorded_at);
CREATE INDEX audit_log_events_org_time_idx ON audit_log_events (organization_id, occurred_at DESC);
CREATE INDEX audit_log_events_org_env_time_idx ON audit_log_events (organization_id, environment_id, occurred_at DESC);
CREATE INDEX audit_log_events_actor_time_idx ON audit_log_events (actor_id, occurred_at DESC);
CREATE INDEX audit_log_events_org_action_time_idx ON audit_log_events (organization_id, action, occurred_at DESC);
CREATE INDEX audit_log_events_resource_idx ON audit_log_events (resource_type, resource_id);
CREATE INDEX application_audit_events_time_idx ON application_audit_events (occurred_at DESC);
CREATE INDEX application_audit_events_event_time_idx ON application_audit_events (event, occurred_at DESC);
CREATE INDEX application_audit_events_org_time_idx ON application_audit_events (organization_id, occurred_at DESC) WHERE organization_id IS NOT NULL;
CREATE INDEX events_org_env_time_idx ON events (organization_id, environment_id, created_at DESC);
CREATE INDEX events_execution_id_idx ON events (execution_id) WHERE execution_id IS NOT NULL;
CREATE INDEX events_expires_at_idx ON events (expires_at);
CREATE INDEX reporting_data_workflow_bucket_idx ON reporting_data (organization_id, environment_id, workflow_name, bucket_start DESC);
CREATE INDEX reporting_data_org_bucket_idx ON reporting_data (organization_id, bucket_start DESC);

-- +goose Down
DROP INDEX usage_records_org_time_idx;
DROP INDEX usage_records_org_env_metric_time_idx;
DROP INDEX usage_records_metric_time_idx;
DROP INDEX audit_log_events_org_time_idx;
DROP INDEX audit_log_events_org_env_time_idx;
DROP INDEX audit_log_events_actor_time_idx;
DROP INDEX audit_log_events_org_action_time_idx;
DROP INDEX audit_log_events_resource_idx;
DROP INDEX application_audit_events_time_idx;
DROP INDEX application_audit_events_event_time_idx;
DROP INDEX application_audit_events_org_time_idx;
DROP INDEX events_org_env_time_idx;
DROP INDEX events_execution_id_idx;
DROP INDEX events_expires_at_idx;
DROP INDEX reporting_data_workflow_bucket_idx;
DROP INDEX reporting_data_org_bucket_idx;
