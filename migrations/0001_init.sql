-- meshenv's first schema. Written in the SQL that SQLite and PostgreSQL share: ids are UUID
-- text, times are microseconds since the epoch (BIGINT), JSON is text.
-- *_key columns hold the lower-cased value that uniqueness and ordering use.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Sessions live here, not in a process, so several meshenv processes share them.
-- Only a hash of the cookie's secret is stored.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

CREATE TABLE environments (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- lower(name || ' ' || description), what search matches
    search_text TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id),
    -- the tags as a JSON array, for display; environment_tags is what filters use
    tags TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX environments_org_name ON environments (organization_id, name_key);
CREATE INDEX environments_org_updated ON environments (organization_id, updated_at, id);
CREATE INDEX environments_org_created ON environments (organization_id, created_at, id);

CREATE TABLE environment_tags (
    environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (environment_id, tag)
);
CREATE INDEX environment_tags_org_tag ON environment_tags (organization_id, tag, environment_id);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    organization_id TEXT,
    actor_user_id TEXT,
    actor_token_id TEXT,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    entity_name TEXT,
    before_json TEXT,
    after_json TEXT,
    reason TEXT
);
CREATE INDEX audit_events_org_time ON audit_events (organization_id, occurred_at);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, occurred_at);
