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

/// A fixed choice with its names: as the plans write it, and in English.
pub struct Label {
    pub key: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
}

/// What a visit helped with (the phone's ticks, the Friday report's "people helped").
pub const HELPED_KINDS: [Label; 6] = [
    Label {
        key: "installed_vneid",
        vi: "Cài đặt, kích hoạt VNeID",
        en: "Installed and activated VNeID",
    },
    Label {
        key: "installed_province_app",
        vi: "Cài đặt ứng dụng của tỉnh",
        en: "Installed the province app",
    },
    Label {
        key: "installed_cyber_safety_app",
        vi: "Cài đặt ứng dụng an toàn thông tin mạng",
        en: "Installed a cyber-safety app",
    },
    Label {
        key: "opened_payment_account",
        vi: "Mở tài khoản thanh toán điện tử",
        en: "Opened an electronic payment account",
    },
    Label {
        key: "issued_e_signature",
        vi: "Hỗ trợ đăng ký chữ ký số",
        en: "Helped register a digital signature",
    },
    Label {
        key: "registered_public_service",
        vi: "Tạo tài khoản Cổng dịch vụ công",
        en: "Created a public-service portal account",
    },
];

/// The keys of `HELPED_KINDS`.
pub const HELPED_WITH: [&str; 6] = {
    let mut keys = [""; 6];
    let mut i = 0;
    while i < keys.len() {
        keys[i] = HELPED_KINDS[i].key;
        i += 1;
    }
    keys
};

/// The Vietnamese name of a kind of help; an unknown key (from a newer app) as itself.
pub fn helped_label(key: &str) -> &str {
    HELPED_KINDS
        .iter()
        .find(|l| l.key == key)
        .map_or(key, |l| l.vi)
}
