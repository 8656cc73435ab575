-- Substring search of teams through an index, as for the other searched tables (0006).
CREATE VIRTUAL TABLE teams_fts USING fts5(
    search_text, content='teams', content_rowid='rowid', tokenize='trigram case_sensitive 1'
);
CREATE TRIGGER teams_fts_insert AFTER INSERT ON teams BEGIN
    INSERT INTO teams_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER teams_fts_delete AFTER DELETE ON teams BEGIN
    INSERT INTO teams_fts(teams_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER teams_fts_update AFTER UPDATE OF search_text ON teams BEGIN
    INSERT INTO teams_fts(teams_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO teams_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
