-- Teams: named groups of an organization's people, given workspaces as members with a role.
-- A person's standing in a workspace is the strongest of their own membership and their teams'.

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- lower(name || ' ' || description), what search matches
    search_text TEXT NOT NULL,
    -- The identity provider whose group fills this team (its members follow the provider's
    -- claims and are not edited by hand); NULL for a team kept by hand.
    provider TEXT,
    provider_group TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX teams_org_name ON teams (organization_id, name_key);
CREATE INDEX teams_org_sort ON teams (organization_id, sort_key, id);
CREATE INDEX teams_org_updated ON teams (organization_id, updated_at, id);
CREATE INDEX teams_org_created ON teams (organization_id, created_at, id);
CREATE UNIQUE INDEX teams_provider_group ON teams (organization_id, provider, provider_group);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
-- "which teams is this user in": every member's request goes through it
CREATE INDEX team_members_user ON team_members (user_id, team_id);

CREATE TABLE workspace_teams (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, team_id)
);
-- "which workspaces does this team reach"
CREATE INDEX workspace_teams_team ON workspace_teams (team_id, workspace_id);

-- Who reaches a workspace, and with what role: its own members and its teams' members (a
-- person in both ways appears once per way; readers take the strongest role). Every access
-- check and member-bounded list reads this, so a change to a team counts from the next request.
CREATE VIEW workspace_access AS
    SELECT workspace_id, user_id, role FROM workspace_members
    UNION ALL
    SELECT wt.workspace_id, tm.user_id, wt.role
    FROM workspace_teams wt JOIN team_members tm ON tm.team_id = wt.team_id;
