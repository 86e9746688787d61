-- The agenda's automations: reminders and visit reports on activities, the in-app
-- notifications they raise, visit and call targets per rep and month, and the accounts
-- already alerted as not contacted (so an alert is raised once per period).
ALTER TABLE activities ADD COLUMN report TEXT;
ALTER TABLE activities ADD COLUMN reminders TEXT NOT NULL DEFAULT '[]';

CREATE TABLE notifications (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT,
    record_kind TEXT,
    record_id   TEXT,
    -- One notification per occurrence, however often the job that raises it runs.
    dedupe_key  TEXT UNIQUE,
    created_at  TEXT NOT NULL,
    read_at     TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE activity_targets (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    visits     INTEGER NOT NULL,
    calls      INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, period)
);

CREATE TABLE no_contact_alerts (
    account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    alerted_at TEXT NOT NULL
);
