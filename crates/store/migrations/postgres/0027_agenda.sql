-- The PostgreSQL twin of migrations/sqlite/0027.
-- The agenda's automations: reminders and visit reports on activities, the in-app
-- notifications they raise, visit and call targets per rep and month, and the accounts
-- already alerted as not contacted (so an alert is raised once per period).
ALTER TABLE activities ADD COLUMN report TEXT;
ALTER TABLE activities ADD COLUMN reminders JSONB NOT NULL DEFAULT '[]';

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
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE activity_targets (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    visits     BIGINT NOT NULL,
    calls      BIGINT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, period)
);

CREATE TABLE no_contact_alerts (
    account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    alerted_at TIMESTAMPTZ NOT NULL
);
