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
    issue_date    DATE NOT NULL,
    payment_date  DATE NOT NULL,
    amount        BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    state         TEXT NOT NULL,
    state_on      DATE NOT NULL,
    bounce_reason TEXT,
    endorsed_to   TEXT REFERENCES accounts (id),
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX cheques_state_date ON cheques (state, payment_date);
CREATE INDEX cheques_account ON cheques (account_id);
CREATE UNIQUE INDEX cheques_payment ON cheques (payment_id);
