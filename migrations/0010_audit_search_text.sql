-- Events are searched by action, entity name and actor name (`GET /api/events?search=`), over
-- one lower-cased text per row like the other searched tables. New rows get it from the
-- application (Unicode lower-casing); old ones here, where SQLite's lower() folds ASCII only.
ALTER TABLE audit_events ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE audit_events SET search_text = lower(
    action || ' ' || COALESCE(entity_name, '') || ' ' ||
    COALESCE((SELECT name FROM users WHERE users.id = audit_events.actor_user_id), '')
);
