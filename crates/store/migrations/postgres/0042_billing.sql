-- Billing and collections (issue 18). Amounts are ten-thousandths in integer columns,
-- like the documents' totals, so that the database sums them exactly.

-- Invoices, credit notes and debit notes. `total` is the grand total of the lines
-- (computed by `core::totals`, kept so that the ledger's sums need not read the lines).
CREATE TABLE invoices (
    id                 TEXT PRIMARY KEY NOT NULL,
    kind               TEXT NOT NULL,
    number             TEXT NOT NULL UNIQUE,
    series             TEXT NOT NULL,
    point_of_sale      BIGINT NOT NULL,
    account_id         TEXT NOT NULL REFERENCES accounts (id),
    contact_id         TEXT REFERENCES contacts (id),
    owner_id           TEXT,
    order_id           TEXT REFERENCES orders (id),
    quote_id           TEXT REFERENCES quotes (id),
    corrects_id        TEXT REFERENCES invoices (id),
    reason             TEXT,
    currency           TEXT NOT NULL,
    language           TEXT NOT NULL,
    lines              JSONB NOT NULL,
    discount           TEXT NOT NULL,
    rounding           TEXT NOT NULL,
    notes              TEXT,
    total              BIGINT NOT NULL,
    issue_date         DATE NOT NULL,
    payment_terms_days BIGINT NOT NULL,
    due_date           DATE NOT NULL,
    fiscal             JSONB NOT NULL,
    sent_at            TIMESTAMPTZ,
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX invoices_account ON invoices (account_id, currency, issue_date);
CREATE INDEX invoices_owner ON invoices (owner_id);
CREATE INDEX invoices_order ON invoices (order_id);
CREATE INDEX invoices_corrects ON invoices (corrects_id);
CREATE INDEX invoices_due ON invoices (due_date);

-- Payments received. A reversed payment (a bounced cheque) keeps its row and stops
-- counting from `reversed_on`.
CREATE TABLE payments (
    id              TEXT PRIMARY KEY NOT NULL,
    number          TEXT NOT NULL UNIQUE,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    owner_id        TEXT,
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    received_on     DATE NOT NULL,
    method          TEXT NOT NULL,
    reference       TEXT,
    notes           TEXT,
    reversed_on     DATE,
    reversal_reason TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX payments_account ON payments (account_id, currency, received_on);
CREATE INDEX payments_owner ON payments (owner_id);

-- What settles what: part of a payment or a credit note (`credit_id`) applied to an
-- invoice or a debit note (`debit_id`). Rows are never deleted: a reversal dates them.
CREATE TABLE billing_applications (
    id              TEXT PRIMARY KEY NOT NULL,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    currency        TEXT NOT NULL,
    credit_id       TEXT NOT NULL,
    credit_kind     TEXT NOT NULL,
    debit_id        TEXT NOT NULL REFERENCES invoices (id),
    amount          BIGINT NOT NULL,
    applied_on      DATE NOT NULL,
    reversed_on     DATE,
    reversal_reason TEXT,
    created_by      TEXT,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX billing_applications_debit ON billing_applications (debit_id);
CREATE INDEX billing_applications_credit ON billing_applications (credit_id);
CREATE INDEX billing_applications_account ON billing_applications (account_id, currency);

-- Databases made before billing keep their stored built-in roles, so give those roles
-- the rights new databases start with. A role that already names the module is left alone.
UPDATE roles SET permissions = '{"billing":["read","create","edit","export","admin"],' || substr(permissions, 2)
 WHERE built_in AND key = 'manager' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"billing"%';
UPDATE roles SET permissions = '{"billing":["read","create","edit","export"],' || substr(permissions, 2)
 WHERE built_in AND key = 'collections' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"billing"%';
UPDATE roles SET permissions = '{"billing":["read"],' || substr(permissions, 2)
 WHERE built_in AND key IN ('sales_rep', 'read_only') AND permissions LIKE '{"%' AND permissions NOT LIKE '%"billing"%';
