//! Field names and enumerations of the village document, schema version 1 (docs/SCHEMA.md).

pub const SCHEMA_VERSION: i64 = 1;

pub const SCHEMA_VERSION_KEY: &str = "schema_version";
pub const VILLAGE_CODE: &str = "village_code";
pub const HOUSEHOLDS: &str = "households";
pub const PERSONS: &str = "persons";
pub const VISITS: &str = "visits";
/// Inside a visit: what the team helped with (keys from `HELPED_WITH`).
pub const HELPED: &str = "helped";

/// Household text fields.
pub const HOUSEHOLD_TEXT: [&str; 5] = [
    "head_name",
    "address",
    "phone",
    "duplicate_of",
    "created_by",
];

/// Household yes/no answers, in the column order of the `households` table: the document's keys
/// are the projection's column names, declared once in `store::rows`.
pub const HOUSEHOLD_FLAGS: [&str; 4] = crate::store::HOUSEHOLD_FLAG_COLUMNS;

/// The per-person checklist (yes/no), in the column order of the `persons` table (declared once
/// in `store::rows`).
pub const PERSON_FLAGS: [&str; 12] = crate::store::PERSON_FLAG_COLUMNS;

pub const SEXES: [&str; 3] = ["male", "female", "other"];

pub const VISIT_OUTCOMES: [&str; 4] = ["surveyed", "nobody_home", "refused", "come_back_later"];

pub const HELPED_WITH: [&str; 6] = [
    "installed_vneid",
    "installed_province_app",
    "installed_cyber_safety_app",
    "opened_payment_account",
    "issued_e_signature",
    "registered_public_service",
];
