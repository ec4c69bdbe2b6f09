-- The 2025 reform (issue 17): a unit's identity (units.code) is for life, while an official code
-- is held for a period; a new commune may carry a former commune's code without mixing their
-- histories. Days are Vietnam dates ('YYYY-MM-DD'); valid_to is the first day the code is no
-- longer held, NULL while it is.
CREATE TABLE unit_codes (
    code       TEXT NOT NULL,
    unit_code  TEXT NOT NULL REFERENCES units (code),
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    PRIMARY KEY (code, valid_from)
);
CREATE INDEX unit_codes_unit ON unit_codes (unit_code);
-- Every unit so far holds its own code from the beginning (merged and retired ones too: their
-- codes were never handed on).
INSERT INTO unit_codes (code, unit_code, valid_from) SELECT code, code, '0001-01-01' FROM units;

-- A reform applied as one event: what the mapping said and when it took effect.
CREATE TABLE reforms (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    applied_by     TEXT NOT NULL,
    applied_at     INTEGER NOT NULL,
    -- What it did, as the preview showed it (JSON).
    summary        TEXT NOT NULL
);

-- Villages of a former commune that was split between new communes, until the admin places them.
CREATE TABLE village_placements (
    village_code   TEXT PRIMARY KEY REFERENCES units (code),
    reform_id      INTEGER NOT NULL REFERENCES reforms (id),
    former_commune TEXT NOT NULL REFERENCES units (code),
    -- The new communes the mapping names for the former one, separated by ','.
    candidates     TEXT NOT NULL,
    placed_into    TEXT REFERENCES units (code),
    placed_by      TEXT,
    placed_at      INTEGER
);
CREATE INDEX village_placements_former ON village_placements (former_commune);
