-- Health, apart from the lifecycle status: the state the last probe found (healthy, unreachable,
-- failing; unchecked before any; not_probed for kinds without a probe), since when, and in words.
-- last_error keeps the raw cause.
ALTER TABLE connections ADD COLUMN health_state TEXT NOT NULL DEFAULT 'unchecked';
ALTER TABLE connections ADD COLUMN health_since BIGINT;
ALTER TABLE connections ADD COLUMN health_message TEXT;
UPDATE connections SET health_state = 'not_probed', health_since = created_at
    WHERE kind NOT IN ('kubernetes', 'prometheus', 'grafana', 'http');
-- Probed before: an answer with an error status was failing, anything else unreachable.
UPDATE connections SET
    health_state = CASE
        WHEN last_error IS NULL THEN 'healthy'
        WHEN last_error LIKE '%answered%' OR last_error LIKE '%certificate%' OR last_error LIKE '%not permitted%' THEN 'failing'
        ELSE 'unreachable' END,
    health_message = last_error,
    health_since = last_checked_at
    WHERE kind IN ('kubernetes', 'prometheus', 'grafana', 'http') AND last_checked_at IS NOT NULL;
-- Lists filter by it and environments count by it.
CREATE INDEX connections_org_health ON connections (organization_id, health_state);
