-- Workspaces: teams that get the connections of the environments assigned to them.

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- lower(name || ' ' || description), what search matches
    search_text TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX workspaces_org_name ON workspaces (organization_id, name_key);
CREATE INDEX workspaces_org_updated ON workspaces (organization_id, updated_at, id);
CREATE INDEX workspaces_org_created ON workspaces (organization_id, created_at, id);

CREATE TABLE workspace_environments (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, environment_id)
);
-- "which workspaces hold this environment": access checks and member-visibility filters
CREATE INDEX workspace_environments_env ON workspace_environments (environment_id, workspace_id);

CREATE TABLE workspace_members (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
-- "which workspaces is this user in": every member's request starts here
CREATE INDEX workspace_members_user ON workspace_members (user_id, workspace_id);

