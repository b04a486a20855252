CREATE TABLE documents (
    coll TEXT NOT NULL,
    key  TEXT NOT NULL,
    id   TEXT NOT NULL,
    etag TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (coll, key)
) WITHOUT ROWID;
