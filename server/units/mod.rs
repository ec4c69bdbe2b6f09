//! The administrative-unit tree (province → [district] → commune → village), its CSV import,
//! and merges that keep history.

mod import;
mod service;

pub use import::{parse_units_csv, UnitLine};
pub use service::{
    create_unit, get_unit, import_units, list_units, merge_unit, retire_unit, ImportReport,
    NewUnitRequest, UnitQuery,
};

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

    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_lowercase().as_str() {
            "province" | "tinh" | "tỉnh" => Some(Level::Province),
            "district" | "huyen" | "huyện" => Some(Level::District),
            "commune" | "xa" | "xã" | "phuong" | "phường" | "thi_tran" | "thị trấn" => {
                Some(Level::Commune)
            }
            "village" | "thon" | "thôn" | "ban" | "bản" | "to_dan_pho" | "tổ dân phố"
            | "khu_pho" | "khu phố" => Some(Level::Village),
            _ => None,
        }
    }

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
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Self {
        Unit {
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
}
