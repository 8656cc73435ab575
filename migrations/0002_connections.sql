-- Credentials, connections, and which connections each environment holds.

CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    type TEXT NOT NULL,
    -- the secret's field names (JSON array), for masked display without decrypting
    secret_fields TEXT NOT NULL,
    -- base64 of nonce || AEAD ciphertext of the secret's JSON, bound to the row id
    ciphertext TEXT NOT NULL,
    -- which key sealed it
    key_id TEXT NOT NULL,
    search_text TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX credentials_org_updated ON credentials (organization_id, updated_at, id);
CREATE INDEX credentials_org_created ON credentials (organization_id, created_at, id);
CREATE INDEX credentials_org_name ON credentials (organization_id, name_key, id);
CREATE INDEX credentials_org_type ON credentials (organization_id, type, id);
CREATE INDEX credentials_key ON credentials (key_id);

CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT '',
    sub_type TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    credential_id TEXT REFERENCES credentials (id),
    -- set by imports, so importing the same thing twice finds what the first made
    import_key TEXT,
    search_text TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX connections_org_updated ON connections (organization_id, updated_at, id);
CREATE INDEX connections_org_created ON connections (organization_id, created_at, id);
CREATE INDEX connections_org_name ON connections (organization_id, name_key, id);
CREATE INDEX connections_org_kind ON connections (organization_id, kind, id);
CREATE INDEX connections_org_status ON connections (organization_id, status, id);
CREATE INDEX connections_credential ON connections (credential_id);
CREATE UNIQUE INDEX connections_import ON connections (organization_id, import_key) WHERE import_key IS NOT NULL;

CREATE TABLE environment_connections (
    environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (environment_id, connection_id)
);
CREATE INDEX environment_connections_connection ON environment_connections (connection_id, environment_id);
