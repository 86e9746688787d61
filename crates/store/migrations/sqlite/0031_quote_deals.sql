-- A quote made from a deal names it, so the deal's page lists its quotes and a quote's
-- acceptance can be traced back to the opportunity it closed.
ALTER TABLE quotes ADD COLUMN deal_id TEXT REFERENCES deals (id);
CREATE INDEX quotes_deal ON quotes (deal_id) WHERE deal_id IS NOT NULL;
