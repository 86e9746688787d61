-- Territories: rules on address and industry (JSON) that place new accounts and leads,
-- the person new records go to, and who covers the territory.
CREATE TABLE territories (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE,
    priority   INTEGER NOT NULL DEFAULT 100,
    rules      TEXT NOT NULL DEFAULT '{}',
    owner_id   TEXT REFERENCES users (id),
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE territory_members (
    territory_id TEXT NOT NULL REFERENCES territories (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (territory_id, user_id)
);
CREATE INDEX territory_members_user ON territory_members (user_id);

ALTER TABLE accounts ADD COLUMN territory_id TEXT REFERENCES territories (id);
CREATE INDEX accounts_territory ON accounts (territory_id, seq) WHERE deleted_at IS NULL;
ALTER TABLE leads ADD COLUMN territory_id TEXT REFERENCES territories (id);
CREATE INDEX leads_territory ON leads (territory_id, seq) WHERE deleted_at IS NULL;

-- Records shared with a user or a team (grantee_kind 'user' or 'team').
CREATE TABLE record_shares (
    id           TEXT PRIMARY KEY NOT NULL,
    record_kind  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    grantee_kind TEXT NOT NULL,
    grantee_id   TEXT NOT NULL,
    created_by   TEXT REFERENCES users (id),
    created_at   TEXT NOT NULL,
    UNIQUE (record_id, grantee_id)
);
CREATE INDEX record_shares_grantee ON record_shares (grantee_id, record_id);
