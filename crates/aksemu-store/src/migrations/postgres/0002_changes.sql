-- A monotonic revision over every write (a document's etag is the revision
-- that wrote it) and the change feed watches read, trimmed to a window. The
-- revision row is updated by every writing transaction, so its row lock orders
-- commits by revision: a reader of the feed never sees revision n+1 before n.
CREATE TABLE revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    rev       BIGINT NOT NULL,
    compacted BIGINT NOT NULL
);
INSERT INTO revision (id, rev, compacted) VALUES (1, 0, 0);
CREATE TABLE changes (
    rev     BIGINT PRIMARY KEY,
    coll    TEXT NOT NULL,
    key     TEXT COLLATE "C" NOT NULL,
    id      TEXT NOT NULL,
    op      SMALLINT NOT NULL, -- 0 created, 1 modified, 2 deleted
    body    TEXT NOT NULL
);
CREATE INDEX changes_by_coll ON changes (coll, rev);
