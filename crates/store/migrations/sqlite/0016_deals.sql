-- Deals and the pipelines they move through. A pipeline's stages are a JSON array in
-- order ({id, name, probability, outcome}); deals keep their lines, totals, competitors
-- and stage history as JSON, and their amount as ten-thousandths of the unit.
CREATE TABLE pipelines (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    stages     TEXT NOT NULL DEFAULT '[]',
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);

-- Every company starts with one sales pipeline (an admin renames or replaces it).
INSERT INTO pipelines (id, name, is_default, stages, position, created_at, updated_at, version)
VALUES ('019ac000-0000-7000-8000-000000000001', 'Ventas', 1,
 '[{"id":"019ac000-0000-7000-8000-000000000011","name":"Calificación","probability":10,"outcome":"open"},{"id":"019ac000-0000-7000-8000-000000000012","name":"Propuesta","probability":40,"outcome":"open"},{"id":"019ac000-0000-7000-8000-000000000013","name":"Negociación","probability":70,"outcome":"open"},{"id":"019ac000-0000-7000-8000-000000000014","name":"Ganado","probability":100,"outcome":"won"},{"id":"019ac000-0000-7000-8000-000000000015","name":"Perdido","probability":0,"outcome":"lost"}]',
 0, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 1);

CREATE TABLE deals (
    seq                 INTEGER PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    name_sort           TEXT NOT NULL,
    account_id          TEXT REFERENCES accounts (id),
    contact_ids         TEXT NOT NULL DEFAULT '[]',
    owner_id            TEXT REFERENCES users (id),
    amount              INTEGER,
    currency            TEXT,
    expected_close_date TEXT,
    pipeline_id         TEXT REFERENCES pipelines (id),
    stage_id            TEXT,
    probability         INTEGER,
    status              TEXT NOT NULL,
    closed_at           TEXT,
    lost_reason         TEXT,
    source              TEXT,
    campaign            TEXT,
    price_list_id       TEXT REFERENCES price_lists (id),
    lines               TEXT NOT NULL DEFAULT '[]',
    totals              TEXT,
    competitors         TEXT NOT NULL DEFAULT '[]',
    stage_history       TEXT NOT NULL DEFAULT '[]',
    description         TEXT,
    tags                TEXT NOT NULL DEFAULT '[]',
    custom              TEXT NOT NULL DEFAULT '{}',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    created_by          TEXT,
    version             INTEGER NOT NULL DEFAULT 1,
    deleted_at          TEXT,
    merged_into_id      TEXT
);
CREATE INDEX deals_account ON deals (account_id, seq) WHERE deleted_at IS NULL;
CREATE INDEX deals_owner_close ON deals (owner_id, expected_close_date, seq) WHERE deleted_at IS NULL;
CREATE INDEX deals_stage ON deals (pipeline_id, stage_id, seq) WHERE deleted_at IS NULL;
CREATE INDEX deals_closed ON deals (status, closed_at) WHERE deleted_at IS NULL;
CREATE INDEX deals_updated ON deals (updated_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX deals_deleted ON deals (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE VIRTUAL TABLE deals_fts USING fts5 (doc, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

-- A rep's target for a period (`2026-11`, `2026-Q4`, `2026`): an amount in a currency
-- (ten-thousandths) or a number of won deals. One per rep and period.
CREATE TABLE quotas (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    period     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    amount     INTEGER,
    currency   TEXT,
    count      INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    UNIQUE (user_id, period)
);

-- Commission plans: rates as exact decimal strings inside the JSON.
CREATE TABLE commission_plans (
    id             TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL,
    default_rate   TEXT NOT NULL,
    category_rates TEXT NOT NULL DEFAULT '[]',
    tiers          TEXT NOT NULL DEFAULT '[]',
    user_ids       TEXT NOT NULL DEFAULT '[]',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);

-- Built-in roles made before deals existed gain what new ones start with.
UPDATE roles SET permissions = '{"deals":["read","create","edit","delete","export","admin"],' || substr(permissions, 2)
 WHERE built_in AND key = 'manager' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"deals"%';
UPDATE roles SET permissions = '{"deals":["read","create","edit"],' || substr(permissions, 2)
 WHERE built_in AND key = 'sales_rep' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"deals"%';
UPDATE roles SET permissions = '{"deals":["read"],' || substr(permissions, 2)
 WHERE built_in AND key = 'read_only' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"deals"%';
