-- Names: unique per organization ignoring case for connections and credentials too (environments
-- and workspaces already were), and listed in natural order ("te2" before "te10").

-- Existing duplicates keep the oldest under its name; each later one is renamed
-- "<name> (duplicate N)" (README, "Upgrading"). UPDATE ... FROM works on SQLite 3.33+ and PostgreSQL.
UPDATE connections SET
    name = connections.name || ' (duplicate ' || d.n || ')',
    name_key = connections.name_key || ' (duplicate ' || d.n || ')',
    search_text = connections.search_text || ' (duplicate ' || d.n || ')'
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY organization_id, name_key ORDER BY created_at, id) AS n
      FROM connections) AS d
WHERE d.id = connections.id AND d.n > 1;
UPDATE credentials SET
    name = credentials.name || ' (duplicate ' || d.n || ')',
    name_key = credentials.name_key || ' (duplicate ' || d.n || ')',
    search_text = credentials.search_text || ' (duplicate ' || d.n || ')'
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY organization_id, name_key ORDER BY created_at, id) AS n
      FROM credentials) AS d
WHERE d.id = credentials.id AND d.n > 1;

DROP INDEX connections_org_name;
CREATE UNIQUE INDEX connections_org_name ON connections (organization_id, name_key);
DROP INDEX credentials_org_name;
CREATE UNIQUE INDEX credentials_org_name ON credentials (organization_id, name_key);

-- The natural-order key (model::text::sort_key). It cannot be computed in SQL: the server fills
-- it in for rows that have none (empty) right after migrating, before it serves anything.
ALTER TABLE connections ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
ALTER TABLE environments ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
CREATE INDEX connections_org_sort ON connections (organization_id, sort_key, id);
CREATE INDEX credentials_org_sort ON credentials (organization_id, sort_key, id);
CREATE INDEX environments_org_sort ON environments (organization_id, sort_key, id);
DROP INDEX environments_live_name;
CREATE INDEX environments_live_sort ON environments (organization_id, sort_key, id)
    WHERE deleted_at IS NULL AND archived_at IS NULL;
CREATE INDEX workspaces_org_sort ON workspaces (organization_id, sort_key, id);
