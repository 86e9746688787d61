-- Quotes and orders (issue 5). Lines are JSON with exact decimal strings (prices,
-- quantities, percentages); the totals are computed from them by `core::totals`, and
-- `total` keeps the grand total as ten-thousandths so lists and reports can sort and sum it.

-- Gap-free numbers per kind and year (`P-2026-000123`): the counter row is bumped in the
-- transaction that writes the document, so a rollback returns the number and concurrent
-- writers queue on the row.
CREATE TABLE document_counters (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE quotes (
    id            TEXT PRIMARY KEY NOT NULL,
    number        TEXT NOT NULL UNIQUE,
    revision      INTEGER NOT NULL DEFAULT 1,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    contact_id    TEXT REFERENCES contacts (id),
    owner_id      TEXT,
    currency      TEXT NOT NULL,
    language      TEXT NOT NULL,
    price_list_id TEXT REFERENCES price_lists (id),
    issue_date    TEXT NOT NULL,
    valid_until   TEXT NOT NULL,
    status        TEXT NOT NULL,
    lines         TEXT NOT NULL DEFAULT '[]',
    discount      TEXT NOT NULL,
    rounding      TEXT NOT NULL,
    notes         TEXT,
    total         INTEGER NOT NULL,
    sent_at       TEXT,
    accepted_at   TEXT,
    rejected_at   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX quotes_account ON quotes (account_id);
CREATE INDEX quotes_owner ON quotes (owner_id);

-- Earlier revisions of a quote, as they stood when they were replaced (the whole quote
-- as JSON), so a customer's copy of revision 1 stays readable after revision 2.
CREATE TABLE quote_revisions (
    quote_id   TEXT NOT NULL REFERENCES quotes (id),
    revision   INTEGER NOT NULL,
    snapshot   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (quote_id, revision)
);

CREATE TABLE orders (
    id            TEXT PRIMARY KEY NOT NULL,
    number        TEXT NOT NULL UNIQUE,
    quote_id      TEXT REFERENCES quotes (id),
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    contact_id    TEXT REFERENCES contacts (id),
    owner_id      TEXT,
    currency      TEXT NOT NULL,
    lines         TEXT NOT NULL DEFAULT '[]',
    discount      TEXT NOT NULL,
    rounding      TEXT NOT NULL,
    notes         TEXT,
    total         INTEGER NOT NULL,
    status        TEXT NOT NULL,
    confirmed_at  TEXT NOT NULL,
    picking_at    TEXT,
    shipped_at    TEXT,
    delivered_at  TEXT,
    invoiced_at   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX orders_account ON orders (account_id);
CREATE UNIQUE INDEX orders_quote ON orders (quote_id);

-- One delivery: quantities per order line (JSON `[{"line": 0, "quantity": "2"}]`).
CREATE TABLE order_deliveries (
    id           TEXT PRIMARY KEY NOT NULL,
    order_id     TEXT NOT NULL REFERENCES orders (id),
    delivered_on TEXT NOT NULL,
    lines        TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX order_deliveries_order ON order_deliveries (order_id);

-- Printed documents' settings: the quote template an admin edited (absent: the
-- default) and the company logo (base64 with its media type).
CREATE TABLE document_assets (
    key          TEXT PRIMARY KEY NOT NULL,
    content      TEXT NOT NULL,
    content_type TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
