-- The team lead's review of the members' work: conflicting edits surfaced, records sent back.

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

-- A household (or one person in it) the team lead sends back to the member: "cần sửa" with a
-- comment. Open until someone other than the lead changes that record (fixed) or the lead
-- withdraws it.
CREATE TABLE send_backs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id    TEXT NOT NULL,
    village_code   TEXT NOT NULL REFERENCES units (code),
    household_id   TEXT NOT NULL,
    person_id      TEXT,
    comment        TEXT NOT NULL,
    created_by     INTEGER NOT NULL REFERENCES users (id),
    created_at     INTEGER NOT NULL,
    cleared_at     INTEGER,
    cleared_by     INTEGER REFERENCES users (id),
    -- 'fixed' or 'withdrawn'
    cleared_reason TEXT
);
CREATE INDEX send_backs_open ON send_backs (document_id, household_id) WHERE cleared_at IS NULL;
CREATE INDEX send_backs_village ON send_backs (village_code, cleared_at);

-- The team lead approves a village's work for a week (weeks start on Monday, Vietnam time). The
-- document's heads at approval tell "changed since approval" apart; work is never blocked.
CREATE TABLE village_approvals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    village_code TEXT NOT NULL REFERENCES units (code),
    week         TEXT NOT NULL,
    heads        TEXT NOT NULL,
    approved_by  INTEGER NOT NULL REFERENCES users (id),
    approved_at  INTEGER NOT NULL,
    UNIQUE (village_code, week)
);

-- The commune's Friday report to the district, frozen as submitted (JSON of what was shown and
-- sent); a later restatement of the same days is computed beside it, never written over it.
-- `campaign_id` 0: no campaign.
CREATE TABLE weekly_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    commune_code TEXT NOT NULL REFERENCES units (code),
    campaign_id  INTEGER NOT NULL,
    week         TEXT NOT NULL,
    deadline     INTEGER NOT NULL,
    content      TEXT NOT NULL,
    submitted_by INTEGER NOT NULL REFERENCES users (id),
    submitted_at INTEGER NOT NULL,
    UNIQUE (commune_code, campaign_id, week)
);

-- What the visits helped with (VNeID installed, account opened…): `[[at_ms, "kind"], …]`, so
-- the weekly report counts the people helped in its week.
ALTER TABLE households ADD COLUMN helped TEXT;

-- When a campaign's weekly report is due: a weekday (1 Monday … 7 Sunday) and a time, Vietnam
-- time. The plans say Friday 15:00.
ALTER TABLE campaigns ADD COLUMN report_weekday INTEGER NOT NULL DEFAULT 5;
ALTER TABLE campaigns ADD COLUMN report_time TEXT NOT NULL DEFAULT '15:00';

-- Household history with values: `{"field": [old, new], …}` for each scalar field a stored
-- batch changed, so an overwritten value can still be read.
ALTER TABLE household_audit ADD COLUMN changes TEXT;

-- A declared indicator may be a status instead of numbers ("chưa có", "không có", "chưa thực
-- hiện" in the province's table): shown as that text, counted as not met.
ALTER TABLE declared_values ADD COLUMN status TEXT;
