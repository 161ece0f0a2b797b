-- +goose Up
-- API tokens, credentials, resource groups, settings, installation config, metadata
-- (docs/data-model/access.md). Environment-scoped rows reference
-- environments(organization_id, id); a NULL environment_id means organisation-wide and is not
-- checked (MATCH SIMPLE).

CREATE TABLE tokens (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    environment_id  varchar(64),
    user_id         varchar(64),
    name            text,
    -- SHA-256 hex of the token. Legacy documents held the plaintext token: the transform
    -- hashes it and never stores the plaintext (not in extra either).
    token_hash      text        NOT NULL,
    token_prefix    text,
    role            text,
    scopes          text[],
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    created_by      varchar(64),
    created_at      timestamptz,
    extra           jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX tokens_token_hash_key ON tokens (token_hash);
CREATE INDEX tokens_scope_idx ON tokens (organization_id, environment_id);
CREATE INDEX tokens_user_id_idx ON tokens (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE credentials (
    id               varchar(64) PRIMARY KEY,
    organization_id  varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    environment_id   varchar(64),
    name             text        NOT NULL,
    type             text,
    description      text,
    -- The secret re-encrypted for PostgreSQL: the v1 envelope of app/credentials/target-format.ts
    -- (version | salt | nonce | AES-256-GCM ciphertext | tag, AAD binds the row id).
    secret_envelope  bytea       NOT NULL,
    -- Non-secret provenance: target format version and the source's alg/kdf/iterations/keyVersion.
    -- The source ciphertext, nonce and salt are consumed, never copied.
    encryption       jsonb       NOT NULL,
    created_by       varchar(64),
    created_at       timestamptz,
    updated_at       timestamptz,
    extra            jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
-- credential("NAME") must resolve to one secret per scope.
CREATE UNIQUE INDEX credentials_scope_name_key ON credentials (organization_id, environment_id, name) NULLS NOT DISTINCT;

CREATE TABLE resource_groups (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text        NOT NULL,
    slug            text,
    description     text,
    resources       jsonb,
    members         jsonb,
    created_by      varchar(64),
    created_at      timestamptz,
    updated_at      timestamptz,
    extra           jsonb
);
CREATE INDEX resource_groups_organization_id_idx ON resource_groups (organization_id);
CREATE INDEX resource_groups_members_idx ON resource_groups USING gin (members jsonb_path_ops);

CREATE TABLE settings (
    id                      varchar(64) PRIMARY KEY,
    organization_id         varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    environment_id          varchar(64),
    execution_retention_days integer,
    log_retention_days      integer,
    artifact_retention_days integer,
    features                jsonb,
    notifications           jsonb,
    updated_at              timestamptz,
    updated_by              varchar(64),
    extra                   jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
-- One settings document per organisation (environment_id NULL) and per environment.
CREATE UNIQUE INDEX settings_scope_key ON settings (organization_id, environment_id) NULLS NOT DISTINCT;

CREATE TABLE config (
    -- The document's string _id is the configuration key.
    id          text        PRIMARY KEY,
    value       jsonb,
    description text,
    updated_at  timestamptz,
    updated_by  varchar(64),
    extra       jsonb
);

CREATE TABLE metadata (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    environment_id  varchar(64),
    resource_type   text,
    resource_name   text,
    key             text        NOT NULL,
    value           jsonb,
    created_at      timestamptz,
    updated_at      timestamptz,
    extra           jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX metadata_scope_key_idx ON metadata (organization_id, environment_id, key);

-- +goose Down
DROP TABLE metadata;
DROP TABLE config;
DROP TABLE settings;
DROP TABLE resource_groups;
DROP TABLE credentials;
DROP TABLE tokens;
