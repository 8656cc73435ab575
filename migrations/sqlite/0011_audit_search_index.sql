-- The events' search through a trigram FTS5 index, as the other searched tables' (0006).
CREATE VIRTUAL TABLE audit_events_fts USING fts5(
    search_text, content='audit_events', content_rowid='rowid', tokenize='trigram case_sensitive 1'
);
INSERT INTO audit_events_fts(audit_events_fts) VALUES ('rebuild');
CREATE TRIGGER audit_events_fts_insert AFTER INSERT ON audit_events BEGIN
    INSERT INTO audit_events_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER audit_events_fts_delete AFTER DELETE ON audit_events BEGIN
    INSERT INTO audit_events_fts(audit_events_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER audit_events_fts_update AFTER UPDATE OF search_text ON audit_events BEGIN
    INSERT INTO audit_events_fts(audit_events_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO audit_events_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
