-- Replays of POSTs that carry an Idempotency-Key, kept 24 hours.
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL DEFAULT 0,
    response     TEXT,
    location     TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Company-wide settings an admin changes, as JSON values.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
