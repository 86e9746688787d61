-- Monthly statements (issue 18): the customers taken off them, and each month's
-- statement sent, at most once per customer and currency (the primary key is what keeps
-- two servers, or two runs, from sending it twice).
CREATE TABLE statement_optouts (
    account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id),
    set_by     TEXT,
    set_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE statement_sends (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    month       TEXT NOT NULL,
    currency    TEXT NOT NULL,
    email_to    TEXT,
    sent_at     TIMESTAMPTZ,
    email_error TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, month, currency)
);
