-- Failed logins counted by the (normalised) email that was tried, whether or not a user
-- has it: an unknown email then locks exactly like a known one, so the lockout does not
-- tell which emails have accounts. Replaces users.failed_logins / users.locked_until,
-- which stay unused (migrations are forward-only).
CREATE TABLE login_failures (
    email        TEXT PRIMARY KEY NOT NULL,
    failures     BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_by_time ON login_failures (updated_at);

INSERT INTO login_failures (email, failures, locked_until, updated_at)
SELECT email, failed_logins, locked_until, updated_at FROM users
WHERE failed_logins > 0 OR locked_until IS NOT NULL;
