-- The survey definition as data (issue 16). Version 1 is built into the binary
-- (server/survey/definition/v1.json); versions published later are kept here and never change.
CREATE TABLE survey_versions (
    version      BIGINT PRIMARY KEY,
    -- The definition as published (JSON, docs/SCHEMA.md "Survey definition").
    definition   TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL
);

-- The one draft being prepared for the next version, if any.
CREATE TABLE survey_draft (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    definition TEXT NOT NULL,
    saved_by   TEXT NOT NULL,
    saved_at   BIGINT NOT NULL
);

-- Answers to fields without a column of their own (added by a later version, or written by a
-- newer phone): a JSON object from key to value, NULL when there are none. Nothing a phone
-- writes is dropped by the projection.
ALTER TABLE households ADD COLUMN answers TEXT;
ALTER TABLE persons ADD COLUMN answers TEXT;
