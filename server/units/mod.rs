//! The administrative-unit tree (province → [district] → commune → village), its CSV import,
//! merges that keep history, official codes held for a period, and reforms.

mod codes;
mod import;
mod parse;
pub mod reform;
mod service;

pub use codes::{unit_by_code, CodeLookup, CodePeriod, CodeQuery};
pub use import::{create_unit, import_units, ImportReport, ImportedUnit, NewUnitRequest};
pub use parse::{line_number, parse_units_csv, UnitLine};
pub use service::{get_unit, list_units, merge_unit, retire_unit, UnitQuery};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::rfc3339;
use crate::store::{UnitEventRow, UnitRow};

/// Level of a unit. Districts are optional: since July 2025 communes sit directly under provinces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    District,
    Commune,
    Village,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
            Level::Village => "village",
        }
    }

    /// A level as stored (English), or as the official lists write it in Vietnamese, with or
    /// without diacritics ("Xã", "Phường", "Thị trấn", "Đặc khu", "Huyện", "Quận", "Thị xã",
    /// "Thôn", "Bản", "Tổ dân phố"…). "Thành phố" is a province (centrally run) or a district
    /// (a provincial city): this reads it as a province; `parse_under` uses the parent to tell.
    pub fn parse(s: &str) -> Option<Level> {
        Level::parse_under(s, false)
    }

    /// `parse`, knowing whether the unit sits under a parent (a "thành phố" with a parent is
    /// a district-level city).
    pub fn parse_under(s: &str, has_parent: bool) -> Option<Level> {
        let folded = crate::fold::fold(s);
        match folded.as_str() {
            "province" | "tinh" | "thanh pho truc thuoc trung uong" => Some(Level::Province),
            "thanh pho" | "tp" if !has_parent => Some(Level::Province),
            "district"
            | "huyen"
            | "quan"
            | "thi xa"
            | "thanh pho"
            | "tp"
            | "thanh pho thuoc tinh" => Some(Level::District),
            "commune" | "xa" | "phuong" | "thi tran" | "dac khu" => Some(Level::Commune),
            "village" | "thon" | "ban" | "lang" | "xom" | "ap" | "khom" | "buon" | "plei"
            | "to dan pho" | "khu pho" | "khu dan cu" | "to" | "khu" => Some(Level::Village),
            _ => None,
        }
    }

    /// The level a name starts with ("Thôn 3", "Tổ dân phố 5", "Huyện Nga Sơn"), if it does.
    pub fn from_name(name: &str, has_parent: bool) -> Option<Level> {
        let folded = crate::fold::fold(name);
        let words: Vec<&str> = folded.split(' ').collect();
        // Longest first: "thanh pho" before "thanh", "to dan pho" before "to".
        (1..=words.len().min(3))
            .rev()
            .find_map(|n| Level::parse_under(&words[..n].join(" "), has_parent))
            .filter(|_| words.len() > 1)
    }

    /// The words `parse` takes, for a message that lists them.
    pub const WORDS: &'static str = "tỉnh, thành phố, huyện, quận, thị xã, xã, phường, thị trấn, \
        đặc khu, thôn, bản, làng, xóm, ấp, tổ dân phố, khu phố (or province, district, commune, \
        village)";

    /// Which levels may sit directly above this one.
    pub fn allowed_parents(self) -> &'static [Level] {
        match self {
            Level::Province => &[],
            Level::District => &[Level::Province],
            Level::Commune => &[Level::Province, Level::District],
            Level::Village => &[Level::Commune],
        }
    }
}

/// A unit code: 1–32 characters of ASCII letters, digits, '-', '_' or '.'.
pub fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// A unit as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    /// `active`, `retired` or `merged`.
    pub status: String,
    pub merged_into: Option<String>,
    pub created_at: String,
    pub retired_at: Option<String>,
    /// The official code it holds now, or held last: `code` is its identity for life, which
    /// differs when a reform gave it a code a former unit had held.
    pub official_code: String,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Self {
        Unit {
            official_code: r.official_code.unwrap_or_else(|| r.code.clone()),
            code: r.code,
            name: r.name,
            level: r.level,
            parent_code: r.parent_code,
            status: r.status,
            merged_into: r.merged_into,
            created_at: rfc3339(r.created_at),
            retired_at: r.retired_at.map(rfc3339),
        }
    }
}

/// One change of the tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitEvent {
    pub unit_code: String,
    /// `created`, `moved`, `merged`, `retired` or `renamed`.
    pub kind: String,
    pub old_parent: Option<String>,
    pub new_parent: Option<String>,
    pub other_unit: Option<String>,
    pub detail: Option<String>,
    pub actor: Option<String>,
    pub at: String,
}

impl From<UnitEventRow> for UnitEvent {
    fn from(r: UnitEventRow) -> Self {
        UnitEvent {
            unit_code: r.unit_code,
            kind: r.kind,
            old_parent: r.old_parent,
            new_parent: r.new_parent,
            other_unit: r.other_unit,
            detail: r.detail,
            actor: r.actor,
            at: rfc3339(r.at),
        }
    }
}

/// A unit with its children and the history of what belonged where.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: Unit,
    pub children: Vec<Unit>,
    pub history: Vec<UnitEvent>,
    /// The official codes it held, oldest first.
    pub codes: Vec<CodePeriod>,
}
