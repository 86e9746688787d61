-- A manager's approval to sell to a customer whose risk light asks for one (issue 18):
-- good for that level and below until `valid_until`.
CREATE TABLE risk_approvals (
    id          TEXT PRIMARY KEY NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    level       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TIMESTAMPTZ NOT NULL,
    valid_until DATE NOT NULL
);
CREATE INDEX risk_approvals_account ON risk_approvals (account_id, valid_until);
