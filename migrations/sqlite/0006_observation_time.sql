-- Observation time (issue 12): the moment a change counts from (sync/observed.rs): the phone's
-- own stamp when it falls in the 60 days before the server received it, else the time received,
-- never before a change it depends on. Rows stored before this migration take the same rule
-- without the dependency part.
ALTER TABLE doc_changes ADD COLUMN observed_at INTEGER;
UPDATE doc_changes SET observed_at = CASE
    WHEN change_time BETWEEN received_at - 5184000 AND received_at THEN change_time
    ELSE received_at END;

-- A past day whose figures changed because changes observed on or before it arrived later:
-- who brought them and when, beside the snapshot that now holds the restated figures.
CREATE TABLE stats_restatements (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    village_code TEXT NOT NULL,
    day          TEXT NOT NULL,
    restated_at  INTEGER NOT NULL,
    user_id      INTEGER,
    username     TEXT,
    device_id    TEXT,
    -- Late changes of that batch observed on or before the day.
    changes      INTEGER NOT NULL
);
CREATE INDEX stats_restatements_village ON stats_restatements (village_code, day);
