-- Late interest (intereses por mora). Each row is a window of days already charged on
-- one charge (`from_date` to `through_date`, both included) and the debit note that
-- charged it: the next run starts the day after the last `through_date`, so running
-- twice over the same period charges nothing new. Amounts in ten-thousandths.
CREATE TABLE billing_interest (
    id            TEXT PRIMARY KEY NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    currency      TEXT NOT NULL,
    invoice_id    TEXT NOT NULL REFERENCES invoices (id),
    from_date     DATE NOT NULL,
    through_date  DATE NOT NULL,
    days          BIGINT NOT NULL,
    debit_note_id TEXT NOT NULL REFERENCES invoices (id),
    amount        BIGINT NOT NULL,
    created_by    TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);
-- One window per start day: two runs racing over the same charge cannot both record it.
CREATE UNIQUE INDEX billing_interest_window ON billing_interest (invoice_id, from_date);
-- Interest debit notes earn no interest (simple interest): runs look them up here.
CREATE INDEX billing_interest_note ON billing_interest (debit_note_id);
