-- Remembered past-day figures (store/figures.rs) are checked against what was restated or
-- changed in the unit tree recently: by time, since ids may commit out of order on PostgreSQL.
CREATE INDEX stats_restatements_at ON stats_restatements (restated_at);
CREATE INDEX unit_events_at ON unit_events (at);
