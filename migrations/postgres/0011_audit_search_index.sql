-- The events' search served by pg_trgm, as the other searched tables' (0006).
CREATE INDEX audit_events_search_trgm ON audit_events USING gin (search_text gin_trgm_ops);
