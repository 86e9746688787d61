-- Dunning (collections reminders): each level run for an invoice, at most once (the
-- unique index is what keeps two servers, or two runs, from sending it twice), and the
-- customers' promises to pay, each written down as an activity on the account.
CREATE TABLE dunning_runs (
    id           TEXT PRIMARY KEY NOT NULL,
    invoice_id   TEXT NOT NULL REFERENCES invoices (id),
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    level_days   INTEGER NOT NULL,
    ran_on       TEXT NOT NULL,
    days_overdue INTEGER NOT NULL,
    open_amount  INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    email_to     TEXT,
    language     TEXT NOT NULL,
    sent_at      TEXT,
    email_error  TEXT,
    activity_id  TEXT,
    collector_id TEXT,
    skipped      TEXT,
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX dunning_runs_level ON dunning_runs (invoice_id, level_days);
CREATE INDEX dunning_runs_account ON dunning_runs (account_id, created_at);

CREATE TABLE billing_promises (
    id          TEXT PRIMARY KEY NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    promised_on TEXT NOT NULL,
    amount      INTEGER,
    currency    TEXT,
    note        TEXT,
    activity_id TEXT NOT NULL,
    created_by  TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX billing_promises_account ON billing_promises (account_id, promised_on);
CREATE INDEX billing_promises_until ON billing_promises (promised_on);
