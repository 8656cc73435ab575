-- Environment lifecycle: archived and deleted (in the trash) are moments in time; "active" and
-- "empty" are derived from the connections an environment holds.
ALTER TABLE environments ADD COLUMN archived_at BIGINT;
ALTER TABLE environments ADD COLUMN deleted_at BIGINT;
-- A deleted environment's name may be reused: uniqueness holds among the living only.
DROP INDEX environments_org_name;
CREATE UNIQUE INDEX environments_org_name ON environments (organization_id, name_key) WHERE deleted_at IS NULL;
-- Lists keep to the living (neither deleted nor archived): the order indexes lead with those
-- columns, so a page, a deep page and the count are read from the index alone, in order.
DROP INDEX environments_org_updated;
DROP INDEX environments_org_created;
CREATE INDEX environments_org_updated ON environments (organization_id, deleted_at, archived_at, updated_at, id);
CREATE INDEX environments_org_created ON environments (organization_id, deleted_at, archived_at, created_at, id);
CREATE INDEX environments_org_name_order ON environments (organization_id, deleted_at, archived_at, name_key, id);

-- Health: the last probe's outcome, when the next is due, and who holds the lease to run it
-- (so that several meshenv processes never probe one connection at once).
ALTER TABLE connections ADD COLUMN last_checked_at BIGINT;
ALTER TABLE connections ADD COLUMN last_error TEXT;
ALTER TABLE connections ADD COLUMN latency_ms BIGINT;
ALTER TABLE connections ADD COLUMN next_check_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE connections ADD COLUMN lease_owner TEXT;
ALTER TABLE connections ADD COLUMN lease_until BIGINT;
CREATE INDEX connections_next_check ON connections (next_check_at);
