-- Foundation: administrative units, users, device sessions, assignments.
-- Times are Unix seconds (UTC); dates are ISO 'YYYY-MM-DD' text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
    parent_code TEXT REFERENCES units (code),
    -- Materialised path of codes ('/38/380/38001/'): a unit is in a scope when its path starts
    -- with the scope's path. Rewritten for the moved subtree when a unit is merged.
    path        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired', 'merged')),
    merged_into TEXT REFERENCES units (code),
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER
);
CREATE INDEX units_parent ON units (parent_code);
CREATE INDEX units_path ON units (path);

-- Every change of the tree, so "what belonged where, when" survives merges.
CREATE TABLE unit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_code   TEXT NOT NULL REFERENCES units (code),
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'moved', 'merged', 'retired', 'renamed')),
    old_parent  TEXT,
    new_parent  TEXT,
    other_unit  TEXT,
    detail      TEXT,
    actor       TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX unit_events_unit ON unit_events (unit_code, id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    phone         TEXT,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('enumerator', 'team_lead', 'commune', 'district', 'province', 'admin')),
    scope_unit    TEXT REFERENCES units (code),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX users_scope ON users (scope_unit);

-- One row per logged-in device; revoking it ends every token issued to that phone.
CREATE TABLE device_sessions (
    id             TEXT PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    device_id      TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    revoked_reason TEXT
);
CREATE INDEX device_sessions_user ON device_sessions (user_id);

-- Refresh tokens are stored only as SHA-256 hashes; a used token stays as a tombstone so that
-- its reuse (a stolen copy) is detected.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES device_sessions (id),
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE assignments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    village_code  TEXT NOT NULL REFERENCES units (code),
    assignee_id   INTEGER NOT NULL REFERENCES users (id),
    assigned_by   INTEGER NOT NULL REFERENCES users (id),
    -- JSON array of household ids (UUIDs made on the phone); NULL means the whole village.
    household_ids TEXT,
    due_date      TEXT,
    note          TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX assignments_village ON assignments (village_code);
CREATE INDEX assignments_assignee ON assignments (assignee_id);
