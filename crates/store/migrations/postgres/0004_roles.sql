-- Roles and what they allow, module by module (JSON: {"accounts": ["read", ...]}).
-- Cartera adds its built-in roles after migrating. A user without a role predates
-- roles and keeps the administrator's rights.
CREATE TABLE roles (
    id          TEXT PRIMARY KEY NOT NULL,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    permissions TEXT NOT NULL,
    built_in    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);

ALTER TABLE users ADD COLUMN role_id TEXT REFERENCES roles (id);
