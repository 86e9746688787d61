-- The day from which a billing document stops moving its customer's open balance for
-- good (issue 18's benchmark): a charge fully settled, a payment or credit note fully
-- applied (or a payment reversed with all it settled), counting every later reversal.
-- '9999-12-31' while it still moves it. The ageing as of a day reads only the documents
-- not closed by then, instead of every charge and credit ever issued. Kept by the store
-- whenever an application, or a payment's reversal, is written (`billing::closed`).
ALTER TABLE invoices ADD COLUMN closed_on DATE NOT NULL DEFAULT '9999-12-31';
ALTER TABLE payments ADD COLUMN closed_on DATE NOT NULL DEFAULT '9999-12-31';

UPDATE invoices SET closed_on = CASE
    WHEN total = COALESCE((SELECT SUM(a.amount) FROM billing_applications a
                         WHERE a.debit_id = invoices.id AND a.reversed_on IS NULL), 0)
    THEN (SELECT MAX(d) FROM (SELECT invoices.issue_date AS d
              UNION ALL SELECT a.applied_on FROM billing_applications a WHERE a.debit_id = invoices.id
              UNION ALL SELECT a.reversed_on FROM billing_applications a WHERE a.debit_id = invoices.id) t)
    ELSE '9999-12-31' END WHERE kind <> 'credit_note';

UPDATE invoices SET closed_on = CASE
    WHEN total = COALESCE((SELECT SUM(a.amount) FROM billing_applications a
                         WHERE a.credit_id = invoices.id AND a.reversed_on IS NULL), 0)
    THEN (SELECT MAX(d) FROM (SELECT invoices.issue_date AS d
              UNION ALL SELECT a.applied_on FROM billing_applications a WHERE a.credit_id = invoices.id
              UNION ALL SELECT a.reversed_on FROM billing_applications a WHERE a.credit_id = invoices.id) t)
    ELSE '9999-12-31' END WHERE kind = 'credit_note';

UPDATE payments SET closed_on = CASE
    WHEN (CASE WHEN reversed_on IS NULL THEN amount ELSE 0 END)
         = COALESCE((SELECT SUM(a.amount) FROM billing_applications a
                         WHERE a.credit_id = payments.id AND a.reversed_on IS NULL), 0)
    THEN (SELECT MAX(d) FROM (SELECT payments.received_on AS d UNION ALL SELECT payments.reversed_on
              UNION ALL SELECT a.applied_on FROM billing_applications a WHERE a.credit_id = payments.id
              UNION ALL SELECT a.reversed_on FROM billing_applications a WHERE a.credit_id = payments.id) t)
    ELSE '9999-12-31' END WHERE 1 = 1;

CREATE INDEX invoices_closed ON invoices (closed_on);
CREATE INDEX payments_closed ON payments (closed_on);
-- What a charge's or a credit's open part sums, read from the index alone.
DROP INDEX billing_applications_debit;
CREATE INDEX billing_applications_debit ON billing_applications (debit_id, applied_on, reversed_on, amount);
CREATE INDEX billing_applications_credit_sum ON billing_applications (credit_id, applied_on, reversed_on, amount);
DROP INDEX billing_applications_credit;
