-- +goose Up
-- Users, organisation members and payments, environments, agents, invites, organisation
-- domains (docs/data-model/identity.md).
-- Foreign keys: every organisation-scoped row references organizations(id); environment-scoped
-- rows reference environments(organization_id, id), so an environment of another organisation
-- cannot be named. Records whose organisation or environment does not exist are integrity
-- errors, caught before insert, so these keys never see an orphan. User references are soft (no
-- foreign key): deleted users' ids stay in createdBy/ownerId/members in real data.

CREATE TABLE users (
    id              varchar(64) PRIMARY KEY,
    email           text        NOT NULL,
    name            text,
    avatar_url      text,
    auth_provider   text,
    external_id     text,
    email_verified  boolean,
    is_super_admin  boolean,
    preferences     jsonb,
    last_login_at   timestamptz,
    created_at      timestamptz,
    updated_at      timestamptz,
    deleted_at      timestamptz,
    extra           jsonb
);
-- Not unique: real data has the same address in different case or with spaces.
CREATE INDEX users_email_idx ON users (lower(email));
CREATE INDEX users_external_id_idx ON users (auth_provider, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE organization_members (
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         varchar(64) NOT NULL,
    role            text,
    joined_at       timestamptz,
    -- Index of the entry in organizations.members, to rebuild the array in order.
    position        integer     NOT NULL,
    extra           jsonb,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user_id_idx ON organization_members (user_id);

CREATE TABLE organization_payments (
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Index of the entry in organizations.payments (entries have no reliable id of their own).
    position        integer     NOT NULL,
    payment_id      text,
    amount          numeric     NOT NULL,
    currency        text,
    status          text,
    paid_at         timestamptz,
    period_start    timestamptz,
    period_end      timestamptz,
    description     text,
    invoice_url     text,
    provider        text,
    extra           jsonb,
    PRIMARY KEY (organization_id, position)
);
CREATE INDEX organization_payments_paid_at_idx ON organization_payments (organization_id, paid_at DESC);
CREATE INDEX organization_payments_payment_id_idx ON organization_payments (payment_id) WHERE payment_id IS NOT NULL;

CREATE TABLE environments (
    id               varchar(64) PRIMARY KEY,
    organization_id  varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             text        NOT NULL,
    slug             text,
    description      text,
    namespace        text,
    cloud_storage    boolean,
    new_architecture boolean,
    labels           jsonb,
    created_at       timestamptz,
    updated_at       timestamptz,
    deleted_at       timestamptz,
    extra            jsonb,
    -- Target of the (organization_id, environment_id) foreign keys of environment-scoped tables.
    CONSTRAINT environments_organization_id_id_key UNIQUE (organization_id, id)
);
CREATE INDEX environments_slug_idx ON environments (organization_id, lower(slug));

CREATE TABLE agents (
    id               varchar(64) PRIMARY KEY,
    organization_id  varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             text        NOT NULL,
    type             text,
    -- Environments served. An array (no foreign key): an id of a deleted environment is kept
    -- and reported as a warning, not an integrity error.
    environment_ids  varchar(64)[] NOT NULL DEFAULT '{}',
    labels           jsonb,
    namespace        text,
    version          text,
    secret_key_hash  text,
    capabilities     text[],
    is_global        boolean,
    disabled         boolean,
    last_seen_at     timestamptz,
    created_at       timestamptz,
    updated_at       timestamptz,
    deleted_at       timestamptz,
    extra            jsonb
);
CREATE INDEX agents_organization_id_idx ON agents (organization_id);
CREATE INDEX agents_environment_ids_idx ON agents USING gin (environment_ids);

CREATE TABLE invites (
    id                varchar(64) PRIMARY KEY,
    organization_id   varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email             text        NOT NULL,
    role              text,
    environment_roles jsonb,
    invited_by        varchar(64),
    -- SHA-256 hex of the invite token; legacy documents held the token itself, which is hashed
    -- by the transform and never stored.
    token_hash        text,
    status            text,
    expires_at        timestamptz,
    accepted_at       timestamptz,
    created_at        timestamptz,
    extra             jsonb
);
CREATE INDEX invites_organization_id_idx ON invites (organization_id);
CREATE INDEX invites_email_idx ON invites (lower(email));
CREATE UNIQUE INDEX invites_token_hash_key ON invites (token_hash) WHERE token_hash IS NOT NULL;

CREATE TABLE organization_domains (
    id                  varchar(64) PRIMARY KEY,
    organization_id     varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain              text        NOT NULL,
    verified            boolean,
    verification_method text,
    verification_token  text,
    verified_at         timestamptz,
    auto_join           boolean,
    default_role        text,
    created_at          timestamptz,
    updated_at          timestamptz,
    extra               jsonb
);
CREATE INDEX organization_domains_organization_id_idx ON organization_domains (organization_id);
CREATE INDEX organization_domains_domain_idx ON organization_domains (lower(btrim(domain)));

-- +goose Down
DROP TABLE organization_domains;
DROP TABLE invites;
DROP TABLE agents;
DROP TABLE environments;
DROP TABLE organization_payments;
DROP TABLE organization_members;
DROP TABLE users;
