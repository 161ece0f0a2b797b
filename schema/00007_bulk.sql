-- +goose Up
-- Bulk tables (docs/data-model/bulk.md): loaded with COPY, primary key only. Secondary
-- indexes are built after the load (schema/post-load/bulk-indexes.sql). No foreign keys: the
-- bulk engine checks organisation ids against the migrated organisations itself, and a foreign
-- key check per COPY row would dominate load time.

CREATE TABLE audit_log_events (
    mongo_id        varchar(24) PRIMARY KEY,
    organization_id varchar(64) NOT NULL,
    environment_id  varchar(64),
    occurred_at     timestamptz NOT NULL,
    action          text        NOT NULL,
    actor_type      text,
    actor_id        varchar(64),
    actor_email     text,
    actor_name      text,
    resource_type   text,
    resource_id     text,
    resource_name   text,
    outcome         text,
    ip_address      text,
    user_agent      text,
    request_id      text,
    changes         jsonb,
    metadata        jsonb,
    extra           jsonb
);

CREATE TABLE application_audit_events (
    mongo_id        varchar(24) PRIMARY KEY,
    occurred_at     timestamptz NOT NULL,
    service         text,
    level           text,
    event           text        NOT NULL,
    message         text,
    organization_id varchar(64),
    environment_id  varchar(64),
    user_id         varchar(64),
    agent_id        varchar(64),
    request_id      text,
    hostname        text,
    attributes      jsonb,
    extra           jsonb
);

CREATE TABLE events (
    mongo_id        varchar(24) PRIMARY KEY,
    organization_id varchar(64) NOT NULL,
    environment_id  varchar(64),
    type            text        NOT NULL,
    resource        text,
    resource_id     text,
    execution_id    varchar(64),
    workflow_name   text,
    agent_id        varchar(64),
    payload         jsonb,
    deliveries      jsonb,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz,
    extra           jsonb
);

CREATE TABLE reporting_data (
    mongo_id          varchar(24) PRIMARY KEY,
    organization_id   varchar(64) NOT NULL,
    environment_id    varchar(64),
    workflow_name     text        NOT NULL,
    granularity       text        NOT NULL,
    bucket_start      timestamptz NOT NULL,
    executions        integer,
    passed            integer,
    failed            integer,
    aborted           integer,
    pass_rate         double precision,
    -- durationMs.total (exact); the whole durationMs statistics document is kept in duration_ms.
    duration_total_ms bigint,
    duration_ms       jsonb,
    tags              jsonb,
    computed_at       timestamptz,
    extra             jsonb
);

-- +goose Down
DROP TABLE reporting_data;
DROP TABLE events;
DROP TABLE application_audit_events;
DROP TABLE audit_log_events;
