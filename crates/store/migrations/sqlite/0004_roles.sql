-- Roles and what they allow, module by module (JSON: {"accounts": ["read", ...]}).
-- Cartera adds its built-in roles after migrating. A user without a role predates
-- roles and keeps the administrator's rights.
CREATE TABLE roles (
    id          TEXT PRIMARY KEY NOT NULL,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    permissions TEXT NOT NULL,
    -- own, team or all: whose accounts, contacts and leads the role sees.
    visibility  TEXT NOT NULL DEFAULT 'all',
    built_in    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);

ALTER TABLE users ADD COLUMN role_id TEXT REFERENCES roles (id);

-- Teams: a manager with a role of team visibility sees the records of its members.
CREATE TABLE teams (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE,
    manager_id TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);
