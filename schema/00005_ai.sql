-- +goose Up
-- Per-organisation AI collections (ai_*_<organizationId>), one table each
-- (docs/data-model/ai.md). organization_id comes from the collection name.
-- Ownership is a foreign key (tokens and tools of an MCP server, tool calls of a session); a
-- reference between configurations (assistant → provider, session → assistant) is soft, because
-- those are deleted independently and their ids linger.

CREATE TABLE ai_llm_providers (
    id                    varchar(64) PRIMARY KEY,
    organization_id       varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                  text        NOT NULL,
    provider              text        NOT NULL,
    base_url              text,
    default_model         text,
    models                text[],
    -- The API key lives in credentials; referenced by id (soft).
    api_key_credential_id varchar(64),
    options               jsonb,
    enabled               boolean,
    created_by            varchar(64),
    created_at            timestamptz,
    updated_at            timestamptz,
    extra                 jsonb
);
CREATE INDEX ai_llm_providers_organization_id_idx ON ai_llm_providers (organization_id);

CREATE TABLE ai_assistants (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text        NOT NULL,
    description     text,
    instructions    text,
    llm_provider_id varchar(64),
    model           text,
    temperature     double precision,
    max_tokens      integer,
    mcp_server_ids  varchar(64)[],
    enabled         boolean,
    is_default      boolean,
    created_by      varchar(64),
    created_at      timestamptz,
    updated_at      timestamptz,
    extra           jsonb
);
CREATE INDEX ai_assistants_organization_id_idx ON ai_assistants (organization_id);

CREATE TABLE ai_mcp_servers (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text        NOT NULL,
    url             text,
    transport       text,
    auth_type       text,
    headers         jsonb,
    builtin         boolean,
    enabled         boolean,
    created_by      varchar(64),
    created_at      timestamptz,
    updated_at      timestamptz,
    extra           jsonb
);
CREATE INDEX ai_mcp_servers_organization_id_idx ON ai_mcp_servers (organization_id);

CREATE TABLE ai_mcp_server_tokens (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    mcp_server_id   varchar(64) NOT NULL REFERENCES ai_mcp_servers (id) ON DELETE CASCADE,
    name            text,
    token_hash      text        NOT NULL,
    token_prefix    text,
    scopes          text[],
    expires_at      timestamptz,
    last_used_at    timestamptz,
    created_by      varchar(64),
    created_at      timestamptz,
    extra           jsonb
);
CREATE UNIQUE INDEX ai_mcp_server_tokens_token_hash_key ON ai_mcp_server_tokens (token_hash);
CREATE INDEX ai_mcp_server_tokens_server_idx ON ai_mcp_server_tokens (mcp_server_id);

CREATE TABLE ai_mcp_server_tools (
    id                varchar(64) PRIMARY KEY,
    organization_id   varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    mcp_server_id     varchar(64) NOT NULL REFERENCES ai_mcp_servers (id) ON DELETE CASCADE,
    name              text        NOT NULL,
    description       text,
    input_schema      jsonb,
    annotations       jsonb,
    enabled           boolean,
    requires_approval boolean,
    discovered_at     timestamptz,
    updated_at        timestamptz,
    extra             jsonb,
    -- MCP tool names are unique per server.
    CONSTRAINT ai_mcp_server_tools_server_name_key UNIQUE (mcp_server_id, name)
);

CREATE TABLE ai_agent_triggers (
    id                varchar(64) PRIMARY KEY,
    organization_id   varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    assistant_id      varchar(64),
    environment_id    varchar(64),
    name              text        NOT NULL,
    event             text,
    selector          jsonb,
    prompt            text,
    enabled           boolean,
    cooldown_seconds  integer,
    last_triggered_at timestamptz,
    created_by        varchar(64),
    created_at        timestamptz,
    updated_at        timestamptz,
    extra             jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX ai_agent_triggers_scope_idx ON ai_agent_triggers (organization_id, environment_id, event);

CREATE TABLE ai_sessions (
    id               varchar(64) PRIMARY KEY,
    organization_id  varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    assistant_id     varchar(64),
    user_id          varchar(64),
    environment_id   varchar(64),
    title            text,
    status           text,
    trigger          jsonb,
    messages         jsonb,
    -- usage.inputTokens / usage.outputTokens / usage.costUsd (exact).
    input_tokens     bigint,
    output_tokens    bigint,
    cost_usd         numeric,
    started_at       timestamptz,
    last_activity_at timestamptz,
    ended_at         timestamptz,
    extra            jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX ai_sessions_organization_idx ON ai_sessions (organization_id, started_at DESC);
CREATE INDEX ai_sessions_user_idx ON ai_sessions (user_id, started_at DESC) WHERE user_id IS NOT NULL;

CREATE TABLE ai_session_tool_calls (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    session_id      varchar(64) NOT NULL REFERENCES ai_sessions (id) ON DELETE CASCADE,
    message_index   integer,
    mcp_server_id   varchar(64),
    tool_name       text        NOT NULL,
    arguments       jsonb,
    result          jsonb,
    status          text,
    error           text,
    approved_by     varchar(64),
    duration_ms     bigint,
    started_at      timestamptz,
    finished_at     timestamptz,
    extra           jsonb
);
CREATE INDEX ai_session_tool_calls_session_idx ON ai_session_tool_calls (session_id, started_at);

-- +goose Down
DROP TABLE ai_session_tool_calls;
DROP TABLE ai_sessions;
DROP TABLE ai_agent_triggers;
DROP TABLE ai_mcp_server_tools;
DROP TABLE ai_mcp_server_tokens;
DROP TABLE ai_mcp_servers;
DROP TABLE ai_assistants;
DROP TABLE ai_llm_providers;
