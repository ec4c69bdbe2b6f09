-- Indicators as data (issue 16): an indicator a province adds is counted from the survey's
-- fields by conditions (docs/SCHEMA.md "Indicators as data"), with no counter column of its own.
-- The built-in survey indicators keep their counters (numerator/denominator name them).
-- What the rule counts: 'households', or 'persons' (aged 15+); NULL for the built-in ones.
ALTER TABLE indicators ADD COLUMN counts TEXT;
-- Conditions over the fields (JSON, the survey definition's condition language): the records
-- counted in the numerator, and the records the indicator is about (NULL: every one).
ALTER TABLE indicators ADD COLUMN numerator_when TEXT;
ALTER TABLE indicators ADD COLUMN denominator_when TEXT;
ALTER TABLE indicators ADD COLUMN created_by TEXT;
ALTER TABLE indicators ADD COLUMN created_at INTEGER;
-- When an indicator added by rule was removed: the row stays so its id is never given to
-- another (a submitted weekly report names indicators by id).
ALTER TABLE indicators ADD COLUMN removed_at INTEGER;

-- A village's counts of every indicator defined by rule, per Vietnam day, one row per village
-- and day (a day "as of" is then one lookup per village, however many indicators there are):
-- {"<indicator id>": [numerator, asked, eligible], …}, where `asked` are the eligible records
-- with an answer to every field the numerator reads.
CREATE TABLE indicator_counts (
    village_code TEXT NOT NULL,
    day          TEXT NOT NULL,
    counts       TEXT NOT NULL,
    PRIMARY KEY (village_code, day)
);

-- Each village's latest counts (what "now" reads: one row per village and indicator, summed per
-- child unit like `village_stats`).
CREATE TABLE indicator_current (
    village_code TEXT NOT NULL,
    indicator_id INTEGER NOT NULL,
    numerator    INTEGER NOT NULL,
    asked        INTEGER NOT NULL,
    eligible     INTEGER NOT NULL,
    PRIMARY KEY (village_code, indicator_id)
);
