-- Substring search through an index: pg_trgm's GIN indexes serve LIKE '%needle%' on the
-- lower-cased search_text directly, so the queries are the same as before.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX environments_search_trgm ON environments USING gin (search_text gin_trgm_ops);
CREATE INDEX connections_search_trgm ON connections USING gin (search_text gin_trgm_ops);
CREATE INDEX credentials_search_trgm ON credentials USING gin (search_text gin_trgm_ops);
CREATE INDEX workspaces_search_trgm ON workspaces USING gin (search_text gin_trgm_ops);
