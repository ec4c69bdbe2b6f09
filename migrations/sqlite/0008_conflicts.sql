-- Concurrent edits of the same field (two phones offline set a head's name differently): the
-- documents keep every value (Automerge); this table makes them visible to the team lead until
-- someone writes the field again, which settles it. Rows are kept once settled (history).
CREATE TABLE field_conflicts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id    TEXT NOT NULL,
    village_code   TEXT NOT NULL REFERENCES units (code),
    household_id   TEXT NOT NULL,
    -- Path inside the household: `head_name`, `persons/<person id>/full_name`…
    field          TEXT NOT NULL,
    -- JSON array of {"value", "actor", "at"}: every value the document holds, the winner last.
    candidates     TEXT NOT NULL,
    detected_at    INTEGER NOT NULL,
    settled_at     INTEGER,
    settled_by     INTEGER REFERENCES users (id),
    -- JSON of the value the field was set to when it was settled.
    settled_value  TEXT
);
CREATE UNIQUE INDEX field_conflicts_open ON field_conflicts (document_id, household_id, field)
    WHERE settled_at IS NULL;
CREATE INDEX field_conflicts_village ON field_conflicts (village_code, settled_at);
