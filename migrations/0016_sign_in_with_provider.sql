-- Single sign-on with OpenID Connect.

-- A person signed in through a provider is (issuer, subject), never an email: the email may
-- change, or be reused by someone else at the provider.
CREATE TABLE user_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the configured provider's name (MESHENV_OIDC_PROVIDERS) it was last used through
    provider TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_sign_in_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- Sign-ins under way: started by one meshenv process, finished by whichever one the browser
-- comes back to. The state is kept hashed; the nonce and PKCE verifier sealed with the secret
-- key. A row is deleted as it is used, so a state works once; rows older than ten minutes are
-- purged with expired sessions.
CREATE TABLE sign_in_flows (
    state_hash TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    provider TEXT NOT NULL,
    key_id TEXT NOT NULL,
    sealed TEXT NOT NULL,
    next_path TEXT NOT NULL,
    -- who started it (the client address, '' when unknown): starts are capped per address
    client_addr TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX sign_in_flows_created ON sign_in_flows (created_at);
CREATE INDEX sign_in_flows_client ON sign_in_flows (client_addr, created_at);

-- The provider a session was opened through (NULL: a password), for signing out there too.
ALTER TABLE sessions ADD COLUMN provider TEXT;
