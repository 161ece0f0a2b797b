-- +goose Up
-- Boards, saved views, per-user trackers, status pages and their incidents
-- (docs/data-model/dashboards.md).

CREATE TABLE boards (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    environment_id  varchar(64),
    name            text        NOT NULL,
    description     text,
    widgets         jsonb,
    shared          boolean,
    created_by      varchar(64),
    created_at      timestamptz,
    updated_at      timestamptz,
    extra           jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX boards_scope_idx ON boards (organization_id, environment_id);

CREATE TABLE views (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    environment_id  varchar(64),
    -- NULL: shared with the environment; else the owner's user id (soft reference).
    user_id         varchar(64),
    name            text        NOT NULL,
    resource        text,
    filters         jsonb,
    sort            jsonb,
    columns         jsonb,
    is_default      boolean,
    created_at      timestamptz,
    updated_at      timestamptz,
    extra           jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX views_scope_idx ON views (organization_id, environment_id, resource);
CREATE INDEX views_user_id_idx ON views (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE trackers (
    id              varchar(64) PRIMARY KEY,
    user_id         varchar(64) NOT NULL,
    organization_id varchar(64) REFERENCES organizations (id) ON DELETE CASCADE,
    kind            text,
    key             text,
    state           jsonb,
    count           integer,
    first_seen_at   timestamptz,
    last_seen_at    timestamptz,
    completed_at    timestamptz,
    extra           jsonb
);
CREATE INDEX trackers_user_idx ON trackers (user_id, kind, key);

CREATE TABLE status_pages (
    id              varchar(64) PRIMARY KEY,
    organization_id varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    environment_id  varchar(64) NOT NULL,
    slug            text        NOT NULL,
    title           text,
    description     text,
    published       boolean,
    custom_domain   text,
    services        jsonb,
    theme           jsonb,
    created_at      timestamptz,
    updated_at      timestamptz,
    extra           jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX status_pages_scope_idx ON status_pages (organization_id, environment_id);
-- Public pages are looked up by slug or custom domain; not unique (messy data, soft-deleted pages).
CREATE INDEX status_pages_slug_idx ON status_pages (lower(btrim(slug)));
CREATE INDEX status_pages_custom_domain_idx ON status_pages (lower(custom_domain)) WHERE custom_domain IS NOT NULL;

CREATE TABLE incidents (
    id                   varchar(64) PRIMARY KEY,
    organization_id      varchar(64) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    environment_id       varchar(64) NOT NULL,
    -- An incident belongs to its status page: a missing page is an integrity error.
    status_page_id       varchar(64) NOT NULL REFERENCES status_pages (id) ON DELETE CASCADE,
    title                text,
    severity             text,
    status               text,
    affected_service_ids text[],
    updates              jsonb,
    started_at           timestamptz,
    resolved_at          timestamptz,
    created_by           varchar(64),
    created_at           timestamptz,
    updated_at           timestamptz,
    extra                jsonb,
    FOREIGN KEY (organization_id, environment_id) REFERENCES environments (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX incidents_status_page_idx ON incidents (status_page_id, started_at DESC);
CREATE INDEX incidents_open_idx ON incidents (organization_id, environment_id) WHERE resolved_at IS NULL;

-- +goose Down
DROP TABLE incidents;
DROP TABLE status_pages;
DROP TABLE trackers;
DROP TABLE views;
DROP TABLE boards;
