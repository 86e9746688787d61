-- A recurring activity keeps its rule (RRULE), the occurrences taken out (EXDATE) and
-- the time zone it counts in, as one JSON object; NULL for a one-off. Occurrences are
-- expanded when a window of the calendar is shown.
ALTER TABLE activities ADD COLUMN recurrence JSONB;
