-- Imports of people's files (CSV, XLSX, XLS, ODS) into accounts, contacts and leads.
-- The uploaded file is kept in parts (base64 text) so that any server's job worker can
-- read it; it is dropped when the import finishes.
CREATE TABLE imports (
    id             TEXT PRIMARY KEY NOT NULL,
    record_kind    TEXT NOT NULL,
    status         TEXT NOT NULL,
    mode           TEXT,
    file_name      TEXT NOT NULL,
    file_size      BIGINT NOT NULL,
    format         TEXT NOT NULL,
    options        JSONB NOT NULL DEFAULT '{}',
    header         JSONB NOT NULL DEFAULT '[]',
    mapping        JSONB NOT NULL DEFAULT '[]',
    source_key     TEXT NOT NULL,
    total_rows     BIGINT,
    processed_rows BIGINT NOT NULL DEFAULT 0,
    created_count  BIGINT NOT NULL DEFAULT 0,
    updated_count  BIGINT NOT NULL DEFAULT 0,
    skipped_count  BIGINT NOT NULL DEFAULT 0,
    rejected_count BIGINT NOT NULL DEFAULT 0,
    error          TEXT,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ,
    undone_at      TIMESTAMPTZ
);
CREATE INDEX imports_by_creator ON imports (created_by, created_at);

CREATE TABLE import_files (
    import_id TEXT NOT NULL,
    part      BIGINT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (import_id, part)
);

-- What became of each row of the last run: created, updated, skipped or rejected (with
-- the problems and the row's cells, for the rejected-rows file).
CREATE TABLE import_rows (
    import_id  TEXT NOT NULL,
    row_number BIGINT NOT NULL,
    outcome    TEXT NOT NULL,
    record_id  TEXT,
    problems   JSONB NOT NULL DEFAULT '[]',
    cells      JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (import_id, row_number)
);

-- The mapping last used for a file with the same header, offered next time.
CREATE TABLE import_mappings (
    record_kind TEXT NOT NULL,
    source_key  TEXT NOT NULL,
    mapping     JSONB NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (record_kind, source_key)
);

-- A source system's id of an imported record, so a later import can match it.
CREATE TABLE import_keys (
    record_kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    PRIMARY KEY (record_kind, external_id)
);
