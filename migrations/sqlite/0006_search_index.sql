-- Substring search through an index: one FTS5 table per searched table, trigram-tokenized
-- over the same lower-cased search_text that LIKE scanned, kept in step by triggers.
-- case_sensitive 1: the text is already lower-cased, so matching stays exact, as LIKE's was.
-- The FTS rows carry the table's rowid (external content).

CREATE VIRTUAL TABLE environments_fts USING fts5(
    search_text, content='environments', content_rowid='rowid', tokenize='trigram case_sensitive 1'
);
INSERT INTO environments_fts(environments_fts) VALUES ('rebuild');
CREATE TRIGGER environments_fts_insert AFTER INSERT ON environments BEGIN
    INSERT INTO environments_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER environments_fts_delete AFTER DELETE ON environments BEGIN
    INSERT INTO environments_fts(environments_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER environments_fts_update AFTER UPDATE OF search_text ON environments BEGIN
    INSERT INTO environments_fts(environments_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO environments_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE VIRTUAL TABLE connections_fts USING fts5(
    search_text, content='connections', content_rowid='rowid', tokenize='trigram case_sensitive 1'
);
INSERT INTO connections_fts(connections_fts) VALUES ('rebuild');
CREATE TRIGGER connections_fts_insert AFTER INSERT ON connections BEGIN
    INSERT INTO connections_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER connections_fts_delete AFTER DELETE ON connections BEGIN
    INSERT INTO connections_fts(connections_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER connections_fts_update AFTER UPDATE OF search_text ON connections BEGIN
    INSERT INTO connections_fts(connections_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO connections_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE VIRTUAL TABLE credentials_fts USING fts5(
    search_text, content='credentials', content_rowid='rowid', tokenize='trigram case_sensitive 1'
);
INSERT INTO credentials_fts(credentials_fts) VALUES ('rebuild');
CREATE TRIGGER credentials_fts_insert AFTER INSERT ON credentials BEGIN
    INSERT INTO credentials_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER credentials_fts_delete AFTER DELETE ON credentials BEGIN
    INSERT INTO credentials_fts(credentials_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER credentials_fts_update AFTER UPDATE OF search_text ON credentials BEGIN
    INSERT INTO credentials_fts(credentials_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO credentials_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE VIRTUAL TABLE workspaces_fts USING fts5(
    search_text, content='workspaces', content_rowid='rowid', tokenize='trigram case_sensitive 1'
);
INSERT INTO workspaces_fts(workspaces_fts) VALUES ('rebuild');
CREATE TRIGGER workspaces_fts_insert AFTER INSERT ON workspaces BEGIN
    INSERT INTO workspaces_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER workspaces_fts_delete AFTER DELETE ON workspaces BEGIN
    INSERT INTO workspaces_fts(workspaces_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER workspaces_fts_update AFTER UPDATE OF search_text ON workspaces BEGIN
    INSERT INTO workspaces_fts(workspaces_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO workspaces_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
