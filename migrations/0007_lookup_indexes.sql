-- The environments in the trash, by organization: a connection's environment count subtracts
-- its links to them instead of looking up every environment it is linked to.
CREATE INDEX environments_trashed ON environments (organization_id, id) WHERE deleted_at IS NOT NULL;
-- An object's history (its page shows it) is looked up by id alone.
CREATE INDEX audit_events_entity_id ON audit_events (entity_id, occurred_at);
