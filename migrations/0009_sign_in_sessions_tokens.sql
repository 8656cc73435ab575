-- Failed sign-ins, counted per login and per client address in the database, so that every
-- meshenv process behind a load balancer shares the count.
CREATE TABLE sign_in_throttle (
    -- 'login:<lower-case login>' or 'addr:<client address>'
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    -- how many times the key was locked in a row: each lock lasts twice the one before
    lockouts BIGINT NOT NULL,
    -- the audit events that count this window's failures (login keys only), JSON array of ids
    audit_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX sign_in_throttle_window ON sign_in_throttle (window_started_at);

-- Sessions get a public id (to list and end them one by one), and what the list shows.
-- Sessions made before this keep working: their id is derived from their hash.
ALTER TABLE sessions ADD COLUMN public_id TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE sessions ADD COLUMN client_addr TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
UPDATE sessions SET public_id = substr(id_hash, 1, 32), last_seen_at = created_at;
CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id);

-- API tokens may expire.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
