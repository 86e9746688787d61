-- The progress of an undo run as a job (rows handled so far), and an index for the
-- housekeeping that drops the files of imports left unstarted past their retention.
ALTER TABLE imports ADD COLUMN undone_rows BIGINT NOT NULL DEFAULT 0;
CREATE INDEX imports_by_status ON imports (status, updated_at);
