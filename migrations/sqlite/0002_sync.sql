-- Village documents (Automerge), their durable chunks, attribution, and the SQL projection.

-- One Automerge document per village; `heads` (sorted hex, comma-separated) answers
-- "has this document changed since these heads" without loading it.
CREATE TABLE village_documents (
    unit_code   TEXT PRIMARY KEY REFERENCES units (code),
    document_id TEXT NOT NULL UNIQUE,
    heads       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Append-only storage: each chunk is the concatenated bytes of changes (or a compacted
-- snapshot), keyed by its SHA-256 so a retried upload stores nothing twice.
CREATE TABLE doc_chunks (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL,
    hash        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('changes', 'snapshot')),
    bytes       BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (document_id, hash)
);
CREATE INDEX doc_chunks_doc ON doc_chunks (document_id, seq);

-- Every change the server accepted, with who uploaded it from which device.
CREATE TABLE doc_changes (
    document_id TEXT NOT NULL,
    change_hash TEXT NOT NULL,
    actor       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    change_time INTEGER NOT NULL,
    user_id     INTEGER,
    device_id   TEXT,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (document_id, change_hash)
);

-- An Automerge actor belongs to the first user and device that sent a change made by it.
CREATE TABLE actor_bindings (
    actor      TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    device_id  TEXT NOT NULL,
    first_seen INTEGER NOT NULL
);

-- Which fields of a household each stored batch of changes touched, and who sent it.
CREATE TABLE household_audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id TEXT NOT NULL,
    document_id  TEXT NOT NULL,
    user_id      INTEGER,
    username     TEXT,
    device_id    TEXT,
    actors       TEXT NOT NULL,
    fields       TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX household_audit_household ON household_audit (household_id, id);

-- Projection: one row per household and per person, re-derived from the document for every
-- household a change touches. Booleans are 0/1, NULL when not asked.
CREATE TABLE households (
    id                        TEXT PRIMARY KEY,
    village_code              TEXT NOT NULL,
    document_id               TEXT NOT NULL,
    head_name                 TEXT,
    address                   TEXT,
    phone                     TEXT,
    pays_electricity_cashless INTEGER,
    pays_water_cashless       INTEGER,
    has_business              INTEGER,
    business_has_qr           INTEGER,
    deleted                   INTEGER NOT NULL DEFAULT 0,
    duplicate_of              TEXT,
    created_at                INTEGER,
    created_by                TEXT,
    visit_outcome             TEXT,
    visited_at                INTEGER,
    visited_by                TEXT,
    visits                    INTEGER NOT NULL DEFAULT 0,
    updated_at                INTEGER NOT NULL
);
CREATE INDEX households_village ON households (village_code);

CREATE TABLE persons (
    id                         TEXT PRIMARY KEY,
    household_id               TEXT NOT NULL,
    village_code               TEXT NOT NULL,
    full_name                  TEXT,
    birth_year                 INTEGER,
    sex                        TEXT,
    cccd                       TEXT,
    phone                      TEXT,
    deleted                    INTEGER NOT NULL DEFAULT 0,
    has_cccd                   INTEGER,
    vneid_level                INTEGER,
    has_phone                  INTEGER,
    has_smartphone             INTEGER,
    own_sim                    INTEGER,
    has_public_service_account INTEGER,
    has_payment_account        INTEGER,
    has_e_signature            INTEGER,
    has_province_app           INTEGER,
    has_cyber_safety_app       INTEGER,
    trained_digital_skills     INTEGER,
    uses_digital_platform      INTEGER,
    used_online_service_eid    INTEGER,
    updated_at                 INTEGER NOT NULL
);
CREATE INDEX persons_household ON persons (household_id);
CREATE INDEX persons_village ON persons (village_code);

-- Records the projection could not read as the schema says (kept in the document).
CREATE TABLE projection_errors (
    document_id  TEXT NOT NULL,
    household_id TEXT NOT NULL,
    message      TEXT NOT NULL,
    at           INTEGER NOT NULL,
    PRIMARY KEY (document_id, household_id)
);
