-- What of each billing document is applied today (applications not taken back), kept
-- beside `closed_on` by the store whenever an application or a reversal is written
-- (`billing::closed`). A document's open part as of a day is its total less this,
-- corrected by the few applications made or taken back after that day; the ageing of
-- every customer then reads no application of the documents untouched since, which
-- were nearly all of them (issue 18's benchmark).
ALTER TABLE invoices ADD COLUMN applied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN applied INTEGER NOT NULL DEFAULT 0;

UPDATE invoices SET applied = COALESCE((SELECT SUM(a.amount) FROM billing_applications a
    WHERE a.debit_id = invoices.id AND a.reversed_on IS NULL), 0) WHERE kind <> 'credit_note';
UPDATE invoices SET applied = COALESCE((SELECT SUM(a.amount) FROM billing_applications a
    WHERE a.credit_id = invoices.id AND a.reversed_on IS NULL), 0) WHERE kind = 'credit_note';
UPDATE payments SET applied = COALESCE((SELECT SUM(a.amount) FROM billing_applications a
    WHERE a.credit_id = payments.id AND a.reversed_on IS NULL), 0);

-- The applications made, or taken back, after a day.
CREATE INDEX billing_applications_applied_on ON billing_applications (applied_on);
CREATE INDEX billing_applications_reversed_on ON billing_applications (reversed_on)
    WHERE reversed_on IS NOT NULL;
