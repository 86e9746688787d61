-- Activities: tasks, calls, meetings, visits and logged emails, with their cost lines
-- (JSON; amounts as exact decimal strings) and the totals per currency Cartera computes.
CREATE TABLE activities (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    subject_sort TEXT NOT NULL,
    notes        TEXT,
    due_date     TEXT,
    starts_at    TEXT,
    ends_at      TEXT,
    all_day      INTEGER NOT NULL DEFAULT 0,
    planned      INTEGER NOT NULL DEFAULT 1,
    status       TEXT NOT NULL,
    outcome      TEXT,
    next_action  TEXT,
    account_id   TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    contact_id   TEXT REFERENCES contacts (id) ON DELETE SET NULL,
    lead_id      TEXT REFERENCES leads (id) ON DELETE SET NULL,
    owner_id     TEXT REFERENCES users (id),
    attendee_ids TEXT NOT NULL DEFAULT '[]',
    costs        TEXT NOT NULL DEFAULT '[]',
    cost_totals  TEXT NOT NULL DEFAULT '[]',
    tags         TEXT NOT NULL DEFAULT '[]',
    custom       TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    created_by   TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   TEXT,
    merged_into_id TEXT
);
CREATE INDEX activities_account ON activities (account_id, seq) WHERE deleted_at IS NULL;
CREATE INDEX activities_contact ON activities (contact_id, seq) WHERE deleted_at IS NULL;
CREATE INDEX activities_lead ON activities (lead_id, seq) WHERE deleted_at IS NULL;
CREATE INDEX activities_owner_due ON activities (owner_id, due_date, seq) WHERE deleted_at IS NULL;
CREATE INDEX activities_owner_starts ON activities (owner_id, starts_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX activities_updated ON activities (updated_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX activities_deleted ON activities (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE VIRTUAL TABLE activities_fts USING fts5 (doc, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
