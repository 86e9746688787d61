-- CalDAV/CardDAV sync (dav): one collection per user and kind ('calendar', 'contacts').
-- `revision` counts the collection's changes; a sync token names a collection and a
-- revision. Each item remembers the href and UID its client chose, the ETag last served
-- and the revision it last changed at; a removed item stays as a tombstone
-- (`deleted`) so that sync-collection can report it.
CREATE TABLE dav_collections (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    revision   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, kind)
);
CREATE TABLE dav_items (
    collection_id TEXT NOT NULL REFERENCES dav_collections (id),
    href          TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    uid           TEXT NOT NULL,
    etag          TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (collection_id, href)
);
CREATE INDEX dav_items_record ON dav_items (collection_id, record_id);
CREATE INDEX dav_items_revision ON dav_items (collection_id, revision);
-- The secret of a user's read-only iCalendar feed (only its SHA-256 is kept).
CREATE TABLE dav_feeds (
    user_id    TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
