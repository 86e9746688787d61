-- The cheque wallet (issue 18): cheques received as payments, and where each one is.
CREATE TABLE cheques (
    id            TEXT PRIMARY KEY NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    payment_id    TEXT NOT NULL REFERENCES payments (id),
    owner_id      TEXT,
    bank          TEXT NOT NULL,
    number        TEXT NOT NULL,
    drawer        TEXT NOT NULL,
    drawer_tax_id TEXT NOT NULL,
    issue_date    TEXT NOT NULL,
    payment_date  TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    state         TEXT NOT NULL,
    state_on      TEXT NOT NULL,
    bounce_reason TEXT,
    endorsed_to   TEXT REFERENCES accounts (id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX cheques_state_date ON cheques (state, payment_date);
CREATE INDEX cheques_account ON cheques (account_id);
CREATE UNIQUE INDEX cheques_payment ON cheques (payment_id);
