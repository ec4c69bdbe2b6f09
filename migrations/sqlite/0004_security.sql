-- Security: per-account login lockout, and the log of officials' reads of person-level data
-- (personal-data rules ask who saw which records, and when).

-- Consecutive wrong passwords since the last good login; at the limit the account is locked
-- until `locked_until` (unix seconds). Kept in the database so every replica sees the lock.
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER;

-- One row per read of person-level data by an official: a village document opened over sync,
-- a household's history. Append-only.
CREATE TABLE access_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    username  TEXT NOT NULL,
    role      TEXT NOT NULL,
    device_id TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_log_path ON access_log (unit_path, at);
CREATE INDEX access_log_user ON access_log (user_id, at);
