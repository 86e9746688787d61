-- Roles and what they allow, module by module (JSON: {"accounts": ["read", ...]}).
-- Cartera adds its built-in roles after migrating. A user without a role predates
-- roles and keeps the administrator's rights.
CREATE TABLE roles (
    id          TEXT PRIMARY KEY NOT NULL,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    permissions TEXT NOT NULL,
    built_in    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);

ALTER TABLE users ADD COLUMN role_id TEXT REFERENCES roles (id);
