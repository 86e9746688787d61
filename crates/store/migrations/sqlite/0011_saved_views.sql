-- Saved views: a user's named search, filters, sort and columns on a list.
CREATE TABLE saved_views (
    id         TEXT PRIMARY KEY NOT NULL,
    owner_id   TEXT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL DEFAULT '',
    columns    TEXT NOT NULL DEFAULT '[]',
    shared     INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    UNIQUE (owner_id, kind, name)
);
CREATE INDEX saved_views_kind ON saved_views (kind, shared);
