-- A commission plan pays on won deals (as before) or on money collected (issue 18).
ALTER TABLE commission_plans ADD COLUMN basis TEXT NOT NULL DEFAULT 'won';
