-- Users, API tokens, accounts, contacts, leads, notes, tags, duplicate keys, custom
-- fields and the audit trail. Times are fixed-width UTC text (see db.rs), JSON is text.
-- `seq` is the insertion order: the rowid, the tie-breaker of every list order and the
-- row key of each full-text index.

CREATE TABLE users (
    id          TEXT PRIMARY KEY NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    locale      TEXT NOT NULL DEFAULT 'es',
    time_zone   TEXT NOT NULL DEFAULT 'America/Argentina/Buenos_Aires',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    scope        TEXT NOT NULL,
    expires_at   TEXT,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE accounts (
    seq                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    kind                 TEXT NOT NULL,
    name                 TEXT NOT NULL,
    name_sort            TEXT NOT NULL,
    legal_name           TEXT,
    tax_id               TEXT,
    industry             TEXT,
    category             TEXT,
    classification       TEXT,
    billing_street       TEXT,
    billing_city         TEXT,
    billing_province     TEXT,
    billing_postal_code  TEXT,
    billing_country      TEXT,
    shipping_street      TEXT,
    shipping_city        TEXT,
    shipping_province    TEXT,
    shipping_postal_code TEXT,
    shipping_country     TEXT,
    email                TEXT,
    emails               TEXT NOT NULL DEFAULT '[]',
    phones               TEXT NOT NULL DEFAULT '[]',
    website              TEXT,
    description          TEXT,
    owner_id             TEXT REFERENCES users (id),
    tags                 TEXT NOT NULL DEFAULT '[]',
    custom               TEXT NOT NULL DEFAULT '{}',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    created_by           TEXT,
    version              INTEGER NOT NULL DEFAULT 1,
    deleted_at           TEXT,
    merged_into_id       TEXT
);
CREATE INDEX accounts_name ON accounts (name_sort, seq) WHERE deleted_at IS NULL;
CREATE INDEX accounts_owner_name ON accounts (owner_id, name_sort, seq) WHERE deleted_at IS NULL;
CREATE INDEX accounts_updated ON accounts (updated_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX accounts_kind ON accounts (kind, seq) WHERE deleted_at IS NULL;
CREATE INDEX accounts_deleted ON accounts (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE contacts (
    seq               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    first_name_sort   TEXT NOT NULL,
    last_name_sort    TEXT NOT NULL,
    email             TEXT,
    emails            TEXT NOT NULL DEFAULT '[]',
    phones            TEXT NOT NULL DEFAULT '[]',
    account_id        TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    job_title         TEXT,
    department        TEXT,
    reports_to_id     TEXT REFERENCES contacts (id) ON DELETE SET NULL,
    birthday          TEXT,
    street            TEXT,
    city              TEXT,
    province          TEXT,
    postal_code       TEXT,
    country           TEXT,
    marketing_consent INTEGER NOT NULL DEFAULT 0,
    description       TEXT,
    owner_id          TEXT REFERENCES users (id),
    tags              TEXT NOT NULL DEFAULT '[]',
    custom            TEXT NOT NULL DEFAULT '{}',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    created_by        TEXT,
    version           INTEGER NOT NULL DEFAULT 1,
    deleted_at        TEXT,
    merged_into_id    TEXT
);
CREATE INDEX contacts_account ON contacts (account_id, seq) WHERE deleted_at IS NULL;
CREATE INDEX contacts_last_name ON contacts (last_name_sort, seq) WHERE deleted_at IS NULL;
CREATE INDEX contacts_owner_last_name ON contacts (owner_id, last_name_sort, seq) WHERE deleted_at IS NULL;
CREATE INDEX contacts_updated ON contacts (updated_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX contacts_reports_to ON contacts (reports_to_id) WHERE reports_to_id IS NOT NULL;
CREATE INDEX contacts_deleted ON contacts (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE leads (
    seq                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    first_name           TEXT,
    last_name            TEXT,
    last_name_sort       TEXT,
    company_name         TEXT,
    company_name_sort    TEXT,
    job_title            TEXT,
    email                TEXT,
    phone                TEXT,
    website              TEXT,
    street               TEXT,
    city                 TEXT,
    province             TEXT,
    postal_code          TEXT,
    country              TEXT,
    source               TEXT,
    campaign             TEXT,
    ad_keyword           TEXT,
    utm_source           TEXT,
    utm_medium           TEXT,
    utm_campaign         TEXT,
    utm_term             TEXT,
    utm_content          TEXT,
    status               TEXT NOT NULL,
    description          TEXT,
    owner_id             TEXT REFERENCES users (id),
    tags                 TEXT NOT NULL DEFAULT '[]',
    custom               TEXT NOT NULL DEFAULT '{}',
    converted_at         TEXT,
    converted_account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    converted_contact_id TEXT REFERENCES contacts (id) ON DELETE SET NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    created_by           TEXT,
    version              INTEGER NOT NULL DEFAULT 1,
    deleted_at           TEXT,
    merged_into_id       TEXT
);
CREATE INDEX leads_status ON leads (status, seq) WHERE deleted_at IS NULL;
CREATE INDEX leads_owner ON leads (owner_id, seq) WHERE deleted_at IS NULL;
CREATE INDEX leads_updated ON leads (updated_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX leads_email ON leads (email) WHERE email IS NOT NULL;
CREATE INDEX leads_deleted ON leads (deleted_at) WHERE deleted_at IS NOT NULL;

-- Full-text search. Contentless: the text lives in the record; the index keeps only
-- tokens, keyed by the record's seq. Diacritics and case fold in the tokenizer; prefix
-- indexes answer short prefixes ("gar") from the index. (detail = none would write
-- faster but made prefix searches several times slower in cartera-bench.)
CREATE VIRTUAL TABLE accounts_fts USING fts5 (doc, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
CREATE VIRTUAL TABLE contacts_fts USING fts5 (doc, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
CREATE VIRTUAL TABLE leads_fts USING fts5 (doc, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

-- Keys on which two records are the same customer (email, tax id, normalised name).
CREATE TABLE record_keys (
    key_kind    TEXT NOT NULL,
    value       TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    PRIMARY KEY (key_kind, value, record_id)
) WITHOUT ROWID;
CREATE INDEX record_keys_record ON record_keys (record_id);

-- Tags, one row per record and tag; `tag_key` is the folded form that filters match.
CREATE TABLE record_tags (
    record_id   TEXT NOT NULL,
    tag_key     TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    tag         TEXT NOT NULL,
    PRIMARY KEY (record_id, tag_key)
) WITHOUT ROWID;
CREATE INDEX record_tags_tag ON record_tags (tag_key, record_id);
CREATE INDEX record_tags_kind ON record_tags (record_kind, tag_key);

CREATE TABLE notes (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    record_kind TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  TEXT
);
CREATE INDEX notes_record ON notes (record_id, seq);

CREATE TABLE custom_fields (
    id          TEXT PRIMARY KEY NOT NULL,
    record_kind TEXT NOT NULL,
    key         TEXT NOT NULL,
    label       TEXT NOT NULL,
    field_type  TEXT NOT NULL,
    options     TEXT NOT NULL DEFAULT '[]',
    required    INTEGER NOT NULL DEFAULT 0,
    description TEXT,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  TEXT
);
CREATE UNIQUE INDEX custom_fields_key ON custom_fields (record_kind, key) WHERE deleted_at IS NULL;

-- Append-only; read by record (the index below) or by seq, never by id alone.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    changes     TEXT NOT NULL DEFAULT '[]',
    request_id  TEXT
);
CREATE INDEX audit_events_record ON audit_events (record_id, seq);
