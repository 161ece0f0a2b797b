-- +goose Up
-- Organisations and usage records: the tables the walking skeleton migrates first.
-- Convention for every control-plane table: the Mongo _id is kept (as `id` when the
-- application already uses it as a string key, else as `mongo_id`), typed columns for
-- what is queried, and `extra jsonb` holding every top-level field the mapping does not
-- name, so no source field is ever dropped.

CREATE TABLE organizations (
    id          varchar(64) PRIMARY KEY,
    name        text        NOT NULL,
    slug        text,
    owner_id    varchar(64),
    plan        jsonb,
    created_at  timestamptz,
    updated_at  timestamptz,
    extra       jsonb,
    -- Added with the data model (docs/data-model/identity.md); columns above are unchanged.
    deleted_at  timestamptz
);
-- Lookups by slug, owner and plan (docs/data-model/identity.md).
CREATE INDEX organizations_slug_idx ON organizations (lower(slug));
CREATE INDEX organizations_owner_id_idx ON organizations (owner_id);
CREATE INDEX organizations_plan_name_idx ON organizations ((plan ->> 'name'));

-- Bulk table: primary key only here; secondary indexes are built after the load
-- (schema/post-load/bulk-indexes.sql).
CREATE TABLE usage_records (
    mongo_id        varchar(24) PRIMARY KEY,
    organization_id varchar(64) NOT NULL,
    environment_id  varchar(64),
    metric          text        NOT NULL,
    quantity        numeric     NOT NULL,
    recorded_at     timestamptz NOT NULL,
    labels          jsonb,
    extra           jsonb
);

-- +goose Down
DROP TABLE usage_records;
DROP TABLE organizations;
