-- The catalogue: products and services. `sku_key` is the SKU as uniqueness sees it
-- (trimmed, upper case); `tax_rate` is `exempt` or a percentage such as `10.5`.
CREATE TABLE products (
    id          TEXT PRIMARY KEY NOT NULL,
    sku         TEXT NOT NULL,
    sku_key     TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT,
    kind        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    category    TEXT,
    tax_rate    TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX products_name ON products (name);

-- Price lists: prices in one currency, valid between two dates (both included, an
-- open end unlimited); a list that names an account is that customer's. Prices are
-- stored as ten-thousandths of the unit, like all money.
CREATE TABLE price_lists (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    currency   TEXT NOT NULL,
    valid_from DATE,
    valid_to   DATE,
    account_id TEXT REFERENCES accounts (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX price_lists_account ON price_lists (account_id);

CREATE TABLE price_list_items (
    price_list_id TEXT NOT NULL REFERENCES price_lists (id),
    product_id    TEXT NOT NULL REFERENCES products (id),
    unit_price    BIGINT NOT NULL,
    position      BIGINT NOT NULL,
    PRIMARY KEY (price_list_id, product_id)
);
CREATE INDEX price_list_items_product ON price_list_items (product_id);

-- Built-in roles made before the catalogue existed gain what new ones start with:
-- managers edit it, everyone else reads it. Permissions are a JSON object in text;
-- prepending a key keeps it valid (a role with no permissions at all is left alone).
UPDATE roles SET permissions = '{"catalog":["read","create","edit","delete","export"],' || substr(permissions, 2)
 WHERE built_in AND key = 'manager' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"catalog"%';
UPDATE roles SET permissions = '{"catalog":["read"],' || substr(permissions, 2)
 WHERE built_in AND key IN ('sales_rep', 'support_agent', 'collections', 'marketing', 'logistics', 'read_only')
   AND permissions LIKE '{"%' AND permissions NOT LIKE '%"catalog"%';
