-- An activity may be about a deal (the call that moves it on, the visit that closes it);
-- it then shows on the deal's timeline.
ALTER TABLE activities ADD COLUMN deal_id TEXT REFERENCES deals (id) ON DELETE SET NULL;
CREATE INDEX activities_deal ON activities (deal_id) WHERE deal_id IS NOT NULL;
