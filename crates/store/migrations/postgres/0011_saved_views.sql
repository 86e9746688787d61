-- Saved views: a user's named search, filters, sort and columns on a list.
CREATE TABLE saved_views (
    id         TEXT PRIMARY KEY NOT NULL,
    owner_id   TEXT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL DEFAULT '',
    columns    JSONB NOT NULL DEFAULT '[]',
    shared     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    UNIQUE (owner_id, kind, name)
);
CREATE INDEX saved_views_kind ON saved_views (kind, shared);
