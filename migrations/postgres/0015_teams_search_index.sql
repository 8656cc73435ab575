-- Substring search of teams through an index, as for the other searched tables (0006).
CREATE INDEX teams_search_trgm ON teams USING gin (search_text gin_trgm_ops);
