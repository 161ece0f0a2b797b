-- +goose Up
-- Per organisation/environment collections (<base>_<organizationId>_<environmentId>) and the
-- global cron_schedules (docs/data-model/environment-resources.md). organization_id and
-- environment_id come from the collection name (cron_schedules: from the document).
-- test_workflow_definitions, not test_workflows: Testkube's schema already has a
-- test_workflows table (the workflow snapshots of executions).
-- Free-form Testkube specs are stored as Go JSON (camelCase keys), like test_workflows.spec.

CREATE TABLE agent_configs (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL,
    environment_id  varchar(64) NOT NULL,
    agent_id        varchar(64),
    name            text,
    revision        bigint,
    config          jsonb,
    created_at      timestamptz,
    updated_at      timestamptz,
    updated_by      varchar(64),
    extra           jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_configs_scope_idx ON agent_configs (organization_id, environment_id, agent_id);

CREATE TABLE test_workflow_definitions (
    id              varchar(64)  PRIMARY KEY,
    organization_id varchar(64)  NOT NULL,
    environment_id  varchar(64)  NOT NULL,
    name            varchar(255) NOT NULL,
    namespace       varchar(255),
    description     text,
    labels          jsonb,
    annotations     jsonb,
    spec            jsonb,
    status          jsonb,
    read_only       boolean,
    created         timestamptz,
    updated         timestamptz,
    extra           jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE,
    -- A workflow is a Kubernetes-style resource: one per name in an environment.
    CONSTRAINT test_workflow_definitions_name_key UNIQUE (organization_id, environment_id, name)
);
CREATE INDEX test_workflow_definitions_labels_idx ON test_workflow_definitions USING gin (labels);

CREATE TABLE test_workflow_templates (
    id              varchar(64)  PRIMARY KEY,
    organization_id varchar(64)  NOT NULL,
    environment_id  varchar(64)  NOT NULL,
    name            varchar(255) NOT NULL,
    namespace       varchar(255),
    description     text,
    labels          jsonb,
    annotations     jsonb,
    spec            jsonb,
    created         timestamptz,
    updated         timestamptz,
    extra           jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT test_workflow_templates_name_key UNIQUE (organization_id, environment_id, name)
);

CREATE TABLE test_triggers (
    id                 varchar(64)  PRIMARY KEY,
    organization_id    varchar(64)  NOT NULL,
    environment_id     varchar(64)  NOT NULL,
    name               varchar(255) NOT NULL,
    namespace          varchar(255),
    labels             jsonb,
    annotations        jsonb,
    resource           text,
    event              text,
    action             text,
    execution          text,
    concurrency_policy text,
    disabled           boolean,
    -- selector, resourceSelector, conditionSpec, probeSpec, actionParameters, testSelector, delay … (Go JSON)
    spec               jsonb,
    extra              jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT test_triggers_name_key UNIQUE (organization_id, environment_id, name)
);

CREATE TABLE webhooks (
    id                         varchar(64)  PRIMARY KEY,
    organization_id            varchar(64)  NOT NULL,
    environment_id             varchar(64)  NOT NULL,
    name                       varchar(255) NOT NULL,
    namespace                  varchar(255),
    labels                     jsonb,
    annotations                jsonb,
    uri                        text,
    events                     text[],
    selector                   text,
    payload_object_field       text,
    payload_template           text,
    payload_template_reference text,
    headers                    jsonb,
    disabled                   boolean,
    config                     jsonb,
    parameters                 jsonb,
    webhook_template_name      varchar(255),
    extra                      jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT webhooks_name_key UNIQUE (organization_id, environment_id, name)
);
CREATE INDEX webhooks_events_idx ON webhooks USING gin (events);

CREATE TABLE webhook_templates (
    id                         varchar(64)  PRIMARY KEY,
    organization_id            varchar(64)  NOT NULL,
    environment_id             varchar(64)  NOT NULL,
    name                       varchar(255) NOT NULL,
    namespace                  varchar(255),
    labels                     jsonb,
    annotations                jsonb,
    uri                        text,
    events                     text[],
    selector                   text,
    payload_object_field       text,
    payload_template           text,
    payload_template_reference text,
    headers                    jsonb,
    disabled                   boolean,
    config                     jsonb,
    parameters                 jsonb,
    extra                      jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT webhook_templates_name_key UNIQUE (organization_id, environment_id, name)
);

CREATE TABLE cron_schedules (
    id                   varchar(64) PRIMARY KEY,
    organization_id      varchar(64) NOT NULL,
    environment_id       varchar(64) NOT NULL,
    workflow_name        varchar(255) NOT NULL,
    cron                 text        NOT NULL,
    timezone             text,
    enabled              boolean,
    next_run_at          timestamptz,
    last_run_at          timestamptz,
    last_execution_id    varchar(64),
    config               jsonb,
    consecutive_failures integer,
    revision             bigint,
    created_at           timestamptz,
    updated_at           timestamptz,
    extra                jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX cron_schedules_workflow_idx ON cron_schedules (organization_id, environment_id, workflow_name);
CREATE INDEX cron_schedules_due_idx ON cron_schedules (next_run_at) WHERE enabled;

-- +goose Down
DROP TABLE cron_schedules;
DROP TABLE webhook_templates;
DROP TABLE webhooks;
DROP TABLE test_triggers;
DROP TABLE test_workflow_templates;
DROP TABLE test_workflow_definitions;
DROP TABLE agent_configs;
