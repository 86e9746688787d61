-- What of each billing document is applied today (applications not taken back), kept
-- beside `closed_on` by the store whenever an application or a reversal is written
-- (`billing::closed`). A document's open part as of a day is its total less this,
-- corrected by the few applications made or taken back after that day; the ageing of
-- every customer then reads no application of the documents untouched since, which
-- were nearly all of them (issue 18's benchmark).
ALTER TABLE invoices ADD COLUMN applied BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN applied BIGINT NOT NULL DEFAULT 0;

UPDATE invoices SET applied = COALESCE((SELECT SUM(a.amount) FROM billing_applications a
    WHERE a.debit_id = invoices.id AND a.reversed_on IS NULL), 0) WHERE kind <> 'credit_note';
UPDATE invoices SET applied = COALESCE((SELECT SUM(a.amount) FROM billing_applications a
    WHERE a.credit_id = invoices.id AND a.reversed_on IS NULL), 0) WHERE kind = 'credit_note';
UPDATE payments SET applied = COALESCE((SELECT SUM(a.amount) FROM billing_applications a
    WHERE a.credit_id = payments.id AND a.reversed_on IS NULL), 0);

-- The reads of every customer's receivables as of a day, from indexes alone (a lookup
-- of the table per row cost more than the rest of the report): the charges not closed
-- by the day; the credit notes not closed (few, hence partial); the applications made,
-- or taken back, after the day.
DROP INDEX invoices_closed;
CREATE INDEX invoices_open ON invoices (closed_on, issue_date, kind, account_id, owner_id,
    currency, due_date, total, applied, number, id);
CREATE INDEX invoices_credit_notes_open ON invoices (closed_on, issue_date, account_id, currency,
    total, applied, id) WHERE kind = 'credit_note';
CREATE INDEX billing_applications_moved ON billing_applications (applied_on, reversed_on,
    debit_id, credit_id, amount);
CREATE INDEX billing_applications_reversed_on ON billing_applications (reversed_on)
    WHERE reversed_on IS NOT NULL;
