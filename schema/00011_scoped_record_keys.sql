-- +goose Up
-- Keys of the per-organisation (ai_*) and per-organisation/environment tables follow their
-- source collections (docs/data-model/ai.md, environment-resources.md). Each source collection
-- is its own key space: the same _id can sit in two organisations' collections (a copied
-- collection, a restored dump), and with `id` alone as the primary key the second record would
-- fail while the first landed. With the scope in the key both land, and a child can only name a
-- parent of its own organisation.

-- Children first: their foreign keys use the primary keys that change below.
ALTER TABLE ai_mcp_server_tokens DROP CONSTRAINT ai_mcp_server_tokens_mcp_server_id_fkey;
ALTER TABLE ai_mcp_server_tools DROP CONSTRAINT ai_mcp_server_tools_mcp_server_id_fkey;
ALTER TABLE ai_session_tool_calls DROP CONSTRAINT ai_session_tool_calls_session_id_fkey;

ALTER TABLE ai_llm_providers DROP CONSTRAINT ai_llm_providers_pkey, ADD PRIMARY KEY (organization_id, id);
ALTER TABLE ai_assistants DROP CONSTRAINT ai_assistants_pkey, ADD PRIMARY KEY (organization_id, id);
ALTER TABLE ai_mcp_servers DROP CONSTRAINT ai_mcp_servers_pkey, ADD PRIMARY KEY (organization_id, id);
ALTER TABLE ai_mcp_server_tokens DROP CONSTRAINT ai_mcp_server_tokens_pkey, ADD PRIMARY KEY (organization_id, id);
ALTER TABLE ai_mcp_server_tools DROP CONSTRAINT ai_mcp_server_tools_pkey, ADD PRIMARY KEY (organization_id, id);
ALTER TABLE ai_agent_triggers DROP CONSTRAINT ai_agent_triggers_pkey, ADD PRIMARY KEY (organization_id, id);
ALTER TABLE ai_sessions DROP CONSTRAINT ai_sessions_pkey, ADD PRIMARY KEY (organization_id, id);
ALTER TABLE ai_session_tool_calls DROP CONSTRAINT ai_session_tool_calls_pkey, ADD PRIMARY KEY (organization_id, id);

ALTER TABLE ai_mcp_server_tokens ADD CONSTRAINT ai_mcp_server_tokens_mcp_server_fkey
    FOREIGN KEY (organization_id, mcp_server_id) REFERENCES ai_mcp_servers (organization_id, id) ON DELETE CASCADE;
ALTER TABLE ai_mcp_server_tools ADD CONSTRAINT ai_mcp_server_tools_mcp_server_fkey
    FOREIGN KEY (organization_id, mcp_server_id) REFERENCES ai_mcp_servers (organization_id, id) ON DELETE CASCADE;
ALTER TABLE ai_session_tool_calls ADD CONSTRAINT ai_session_tool_calls_session_fkey
    FOREIGN KEY (organization_id, session_id) REFERENCES ai_sessions (organization_id, id) ON DELETE CASCADE;

-- Tool names are unique per server, and a server is identified within its organisation.
ALTER TABLE ai_mcp_server_tools DROP CONSTRAINT ai_mcp_server_tools_server_name_key,
    ADD CONSTRAINT ai_mcp_server_tools_server_name_key UNIQUE (organization_id, mcp_server_id, name);
-- The source looks a token up in its organisation's collection, so uniqueness is per
-- organisation; token_hash leads, so a lookup by hash alone still uses the index.
DROP INDEX ai_mcp_server_tokens_token_hash_key;
CREATE UNIQUE INDEX ai_mcp_server_tokens_token_hash_key ON ai_mcp_server_tokens (token_hash, organization_id);

ALTER TABLE agent_configs DROP CONSTRAINT agent_configs_pkey, ADD PRIMARY KEY (organization_id, environment_id, id);
ALTER TABLE test_workflow_definitions DROP CONSTRAINT test_workflow_definitions_pkey, ADD PRIMARY KEY (organization_id, environment_id, id);
ALTER TABLE test_workflow_templates DROP CONSTRAINT test_workflow_templates_pkey, ADD PRIMARY KEY (organization_id, environment_id, id);
ALTER TABLE test_triggers DROP CONSTRAINT test_triggers_pkey, ADD PRIMARY KEY (organization_id, environment_id, id);
ALTER TABLE webhooks DROP CONSTRAINT webhooks_pkey, ADD PRIMARY KEY (organization_id, environment_id, id);
ALTER TABLE webhook_templates DROP CONSTRAINT webhook_templates_pkey, ADD PRIMARY KEY (organization_id, environment_id, id);

-- +goose Down
ALTER TABLE webhook_templates DROP CONSTRAINT webhook_templates_pkey, ADD PRIMARY KEY (id);
ALTER TABLE webhooks DROP CONSTRAINT webhooks_pkey, ADD PRIMARY KEY (id);
ALTER TABLE test_triggers DROP CONSTRAINT test_triggers_pkey, ADD PRIMARY KEY (id);
ALTER TABLE test_workflow_templates DROP CONSTRAINT test_workflow_templates_pkey, ADD PRIMARY KEY (id);
ALTER TABLE test_workflow_definitions DROP CONSTRAINT test_workflow_definitions_pkey, ADD PRIMARY KEY (id);
ALTER TABLE agent_configs DROP CONSTRAINT agent_configs_pkey, ADD PRIMARY KEY (id);

DROP INDEX ai_mcp_server_tokens_token_hash_key;
CREATE UNIQUE INDEX ai_mcp_server_tokens_token_hash_key ON ai_mcp_server_tokens (token_hash);
ALTER TABLE ai_mcp_server_tools DROP CONSTRAINT ai_mcp_server_tools_server_name_key,
    ADD CONSTRAINT ai_mcp_server_tools_server_name_key UNIQUE (mcp_server_id, name);

ALTER TABLE ai_session_tool_calls DROP CONSTRAINT ai_session_tool_calls_session_fkey;
ALTER TABLE ai_mcp_server_tools DROP CONSTRAINT ai_mcp_server_tools_mcp_server_fkey;
ALTER TABLE ai_mcp_server_tokens DROP CONSTRAINT ai_mcp_server_tokens_mcp_server_fkey;

ALTER TABLE ai_session_tool_calls DROP CONSTRAINT ai_session_tool_calls_pkey, ADD PRIMARY KEY (id);
ALTER TABLE ai_sessions DROP CONSTRAINT ai_sessions_pkey, ADD PRIMARY KEY (id);
ALTER TABLE ai_agent_triggers DROP CONSTRAINT ai_agent_triggers_pkey, ADD PRIMARY KEY (id);
ALTER TABLE ai_mcp_server_tools DROP CONSTRAINT ai_mcp_server_tools_pkey, ADD PRIMARY KEY (id);
ALTER TABLE ai_mcp_server_tokens DROP CONSTRAINT ai_mcp_server_tokens_pkey, ADD PRIMARY KEY (id);
ALTER TABLE ai_mcp_servers DROP CONSTRAINT ai_mcp_servers_pkey, ADD PRIMARY KEY (id);
ALTER TABLE ai_assistants DROP CONSTRAINT ai_assistants_pkey, ADD PRIMARY KEY (id);
ALTER TABLE ai_llm_providers DROP CONSTRAINT ai_llm_providers_pkey, ADD PRIMARY KEY (id);

ALTER TABLE ai_mcp_server_tokens ADD CONSTRAINT ai_mcp_server_tokens_mcp_server_id_fkey
    FOREIGN KEY (mcp_server_id) REFERENCES ai_mcp_servers (id) ON DELETE CASCADE;
ALTER TABLE ai_mcp_server_tools ADD CONSTRAINT ai_mcp_server_tools_mcp_server_id_fkey
    FOREIGN KEY (mcp_server_id) REFERENCES ai_mcp_servers (id) ON DELETE CASCADE;
ALTER TABLE ai_session_tool_calls ADD CONSTRAINT ai_session_tool_calls_session_id_fkey
    FOREIGN KEY (session_id) REFERENCES ai_sessions (id) ON DELETE CASCADE;
