-- Testkube PostgreSQL schema, step 1 of 9: the initial tables.
-- Same version as kubeshop/testkube pkg/database/postgres/migrations/20250603170830_init.sql, so a
-- Goose-driven Testkube that shares this database sees it as applied. Written for mongo2pg to
-- reproduce that migration's effect; later steps reshape it into the final state (fact sheet §2).

-- +goose Up
CREATE TABLE test_workflow_executions (
    id                           VARCHAR(255) PRIMARY KEY,
    name                         VARCHAR(255) NOT NULL,
    namespace                    VARCHAR(255),
    number                       INTEGER,
    test_workflow_execution_name VARCHAR(255),
    group_id                     VARCHAR(255),
    runner_id                    VARCHAR(255),
    runner_target                JSONB,
    runner_original_target       JSONB,
    disable_webhooks             BOOLEAN DEFAULT FALSE,
    tags                         JSONB,
    running_context              JSONB,
    config_params                JSONB,
    scheduled_at                 TIMESTAMP WITH TIME ZONE,
    assigned_at                  TIMESTAMP WITH TIME ZONE,
    status_at                    TIMESTAMP WITH TIME ZONE,
    created_at                   TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at                   TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

-- Serial ids at this step; 20251015112922 turns them into uuids.
CREATE TABLE test_workflow_signatures (
    id           SERIAL PRIMARY KEY,
    execution_id VARCHAR(255) NOT NULL REFERENCES test_workflow_executions (id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES test_workflow_signatures (id) ON DELETE CASCADE,
    ref          VARCHAR(255),
    name         VARCHAR(255),
    category     VARCHAR(255),
    optional     BOOLEAN DEFAULT FALSE,
    negative     BOOLEAN DEFAULT FALSE,
    created_at   TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE test_workflow_results (
    execution_id      VARCHAR(255) PRIMARY KEY REFERENCES test_workflow_executions (id) ON DELETE CASCADE,
    status            VARCHAR(50),
    predicted_status  VARCHAR(50),
    duration          VARCHAR(100),
    total_duration    VARCHAR(100),
    duration_ms       INTEGER DEFAULT 0,
    paused_ms         INTEGER DEFAULT 0,
    total_duration_ms INTEGER DEFAULT 0,
    pauses            JSONB,
    initialization    JSONB,
    steps             JSONB,
    queued_at         TIMESTAMP WITH TIME ZONE,
    started_at        TIMESTAMP WITH TIME ZONE,
    finished_at       TIMESTAMP WITH TIME ZONE,
    created_at        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at        TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE test_workflow_outputs (
    id           SERIAL PRIMARY KEY,
    execution_id VARCHAR(255) NOT NULL REFERENCES test_workflow_executions (id) ON DELETE CASCADE,
    ref          VARCHAR(255),
    name         VARCHAR(255),
    value        JSONB,
    created_at   TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE test_workflow_reports (
    id           SERIAL PRIMARY KEY,
    execution_id VARCHAR(255) NOT NULL REFERENCES test_workflow_executions (id) ON DELETE CASCADE,
    ref          VARCHAR(255),
    kind         VARCHAR(255),
    file         VARCHAR(500),
    summary      JSONB,
    created_at   TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE test_workflow_resource_aggregations (
    execution_id VARCHAR(255) PRIMARY KEY REFERENCES test_workflow_executions (id) ON DELETE CASCADE,
    global       JSONB,
    step         JSONB,
    created_at   TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at   TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

-- workflow_type is 'workflow' or 'resolved_workflow'.
CREATE TABLE test_workflows (
    id            SERIAL PRIMARY KEY,
    execution_id  VARCHAR(255) NOT NULL REFERENCES test_workflow_executions (id) ON DELETE CASCADE,
    workflow_type VARCHAR(20) NOT NULL,
    name          VARCHAR(255),
    namespace     VARCHAR(255),
    description   TEXT,
    labels        JSONB,
    annotations   JSONB,
    spec          JSONB,
    read_only     BOOLEAN DEFAULT FALSE,
    status        JSONB,
    created       TIMESTAMP WITH TIME ZONE,
    updated       TIMESTAMP WITH TIME ZONE,
    created_at    TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at    TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    UNIQUE (execution_id, workflow_type)
);

-- id is "lease-<clusterID>".
CREATE TABLE leases (
    id          VARCHAR(255) PRIMARY KEY,
    identifier  VARCHAR(255) NOT NULL,
    cluster_id  VARCHAR(255) NOT NULL,
    acquired_at TIMESTAMP WITH TIME ZONE NOT NULL,
    renewed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at  TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

-- Keyed by name alone at this step; 20250801103615 adds organisation and environment.
CREATE TABLE execution_sequences (
    name       VARCHAR(255) PRIMARY KEY,
    number     INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE INDEX idx_test_workflow_executions_group_id ON test_workflow_executions (group_id);
CREATE INDEX idx_test_workflow_executions_runner_id ON test_workflow_executions (runner_id);
CREATE INDEX idx_test_workflow_executions_name ON test_workflow_executions (name);
CREATE INDEX idx_test_workflow_executions_namespace ON test_workflow_executions (namespace);
CREATE INDEX idx_test_workflow_executions_scheduled_at ON test_workflow_executions (scheduled_at DESC);
CREATE INDEX idx_test_workflow_executions_status_at ON test_workflow_executions (status_at DESC);
CREATE INDEX idx_test_workflow_executions_tags ON test_workflow_executions USING GIN (tags);
CREATE INDEX idx_test_workflow_executions_running_context ON test_workflow_executions USING GIN (running_context);
CREATE INDEX idx_test_workflow_executions_assigned_at ON test_workflow_executions (assigned_at DESC);

CREATE INDEX idx_test_workflow_signatures_execution_id ON test_workflow_signatures (execution_id);
CREATE INDEX idx_test_workflow_signatures_parent_id ON test_workflow_signatures (parent_id);

CREATE INDEX idx_test_workflow_results_status ON test_workflow_results (status);
CREATE INDEX idx_test_workflow_results_finished_at ON test_workflow_results (finished_at DESC);
CREATE INDEX idx_test_workflow_results_steps ON test_workflow_results USING GIN (steps);

CREATE INDEX idx_test_workflow_outputs_execution_id ON test_workflow_outputs (execution_id);

CREATE INDEX idx_test_workflow_reports_execution_id ON test_workflow_reports (execution_id);

CREATE INDEX idx_test_workflows_execution_id ON test_workflows (execution_id);
CREATE INDEX idx_test_workflows_workflow_type ON test_workflows (workflow_type);
CREATE INDEX idx_test_workflows_name ON test_workflows (name);
CREATE INDEX idx_test_workflows_labels ON test_workflows USING GIN (labels);

-- +goose Down
-- Dropping the tables drops their indexes; children before parents.
DROP TABLE IF EXISTS execution_sequences;
DROP TABLE IF EXISTS leases;
DROP TABLE IF EXISTS test_workflows;
DROP TABLE IF EXISTS test_workflow_resource_aggregations;
DROP TABLE IF EXISTS test_workflow_reports;
DROP TABLE IF EXISTS test_workflow_outputs;
DROP TABLE IF EXISTS test_workflow_results;
DROP TABLE IF EXISTS test_workflow_signatures;
DROP TABLE IF EXISTS test_workflow_executions;
