-- A monotonic revision over every write (a document's etag is the revision
-- that wrote it) and the change feed watches read, trimmed to a window.
CREATE TABLE revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    rev       INTEGER NOT NULL,
    compacted INTEGER NOT NULL
);
INSERT INTO revision (id, rev, compacted) VALUES (1, 0, 0);
CREATE TABLE changes (
    rev     INTEGER PRIMARY KEY,
    coll    TEXT NOT NULL,
    key     TEXT NOT NULL,
    id      TEXT NOT NULL,
    op      INTEGER NOT NULL, -- 0 created, 1 modified, 2 deleted
    body    TEXT NOT NULL
);
CREATE INDEX changes_by_coll ON changes (coll, rev);
