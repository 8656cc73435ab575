-- Environment lifecycle: archived and deleted (in the trash) are moments in time; "active" and
-- "empty" are derived from the connections an environment holds.
ALTER TABLE environments ADD COLUMN archived_at BIGINT;
ALTER TABLE environments ADD COLUMN deleted_at BIGINT;
-- A deleted environment's name may be reused: uniqueness holds among the living only.
DROP INDEX environments_org_name;
CREATE UNIQUE INDEX environments_org_name ON environments (organization_id, name_key) WHERE deleted_at IS NULL;
-- Default lists keep to the living (neither deleted nor archived). Partial indexes on exactly
-- that predicate serve their order, deep pages and counts from the index alone, on SQLite and
-- PostgreSQL alike; the full indexes of 0001 still serve the archived and trash views.
CREATE INDEX environments_live_updated ON environments (organization_id, updated_at, id)
    WHERE deleted_at IS NULL AND archived_at IS NULL;
CREATE INDEX environments_live_created ON environments (organization_id, created_at, id)
    WHERE deleted_at IS NULL AND archived_at IS NULL;
CREATE INDEX environments_live_name ON environments (organization_id, name_key, id)
    WHERE deleted_at IS NULL AND archived_at IS NULL;

-- Health: the last probe's outcome, when the next is due, and who holds the lease to run it
-- (so that several meshenv processes never probe one connection at once).
ALTER TABLE connections ADD COLUMN last_checked_at BIGINT;
ALTER TABLE connections ADD COLUMN last_error TEXT;
ALTER TABLE connections ADD COLUMN latency_ms BIGINT;
ALTER TABLE connections ADD COLUMN next_check_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE connections ADD COLUMN lease_owner TEXT;
ALTER TABLE connections ADD COLUMN lease_until BIGINT;
CREATE INDEX connections_next_check ON connections (next_check_at);
