//! Indicators the commune declares (1–5, 12, 16): a numerator and denominator, or a status the
//! province's table writes as text ("Chưa có", "Không có", "Chưa thực hiện"; not met), with a
//! date and a note; every change is kept, the latest by date counts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::{is_iso_date, now, rfc3339, vietnam_date};
use crate::error::{Error, Result};
use crate::store::{DeclaredRow, NewDeclared, Store};

/// A declared indicator without numbers, as the province's table writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeclaredStatus {
    /// "Chưa có"
    NotYet,
    /// "Không có"
    None,
    /// "Chưa thực hiện"
    NotStarted,
}

impl DeclaredStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclaredStatus::NotYet => "not_yet",
            DeclaredStatus::None => "none",
            DeclaredStatus::NotStarted => "not_started",
        }
    }

    pub fn parse(s: &str) -> Option<DeclaredStatus> {
        [
            DeclaredStatus::NotYet,
            DeclaredStatus::None,
            DeclaredStatus::NotStarted,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }

    /// As the province's table writes it.
    pub fn label_vi(self) -> &'static str {
        match self {
            DeclaredStatus::NotYet => "Chưa có",
            DeclaredStatus::None => "Không có",
            DeclaredStatus::NotStarted => "Chưa thực hiện",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    pub indicator_id: i64,
    /// E.g. 12 officials with a digital-signature certificate … (absent with a `status`)
    pub numerator: Option<i64>,
    /// … out of 12 officials.
    pub denominator: Option<i64>,
    /// Instead of numbers: `not_yet` ("Chưa có"), `none` ("Không có"), `not_started`
    /// ("Chưa thực hiện"); counts as not met.
    pub status: Option<DeclaredStatus>,
    /// The day the value holds from (default: today).
    pub value_date: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeclaredValue {
    pub id: i64,
    /// The unit that declared it: the one asked for, or a former unit merged into it.
    pub unit_code: String,
    pub unit_name: String,
    pub indicator_id: i64,
    pub numerator: i64,
    pub denominator: i64,
    pub value_date: String,
    pub note: Option<String>,
    pub status: Option<DeclaredStatus>,
    pub entered_by: String,
    /// Who entered it, as the team knows them.
    pub entered_by_name: Option<String>,
    pub entered_at: String,
}

impl From<DeclaredRow> for DeclaredValue {
    fn from(d: DeclaredRow) -> Self {
        DeclaredValue {
            id: d.id,
            unit_code: d.unit_code,
            unit_name: d.unit_name,
            indicator_id: d.indicator_id,
            numerator: d.numerator,
            denominator: d.denominator,
            value_date: d.value_date,
            note: d.note,
            status: d.status.as_deref().and_then(DeclaredStatus::parse),
            entered_by: d.entered_by,
            entered_by_name: d.entered_by_name,
            entered_at: rfc3339(d.entered_at),
        }
    }
}

/// Records a commune's value (commune officer of that commune, or admin).
pub async fn declare(
    store: &Store,
    who: &Principal,
    code: &str,
    req: &Declaration,
) -> Result<DeclaredValue> {
    if !matches!(who.role, Role::Commune | Role::Admin) {
        return Err(Error::forbidden(
            "declared indicators are entered by the commune officer",
        ));
    }
    let unit = store
        .unit(code)
        .await?
        .filter(|u| who.covers(&u.path))
        .ok_or_else(|| Error::not_found(format!("unit {code} not found (or not in your area)")))?;
    if unit.level != "commune" {
        return Err(Error::bad_request(format!(
            "{code} is a {}: declared indicators belong to a commune",
            unit.level
        )));
    }
    let indicator = store
        .indicators()
        .await?
        .into_iter()
        .find(|i| i.id == req.indicator_id);
    match indicator {
        Some(i) if i.source == "declared" => {}
        Some(_) => {
            return Err(Error::bad_request(format!(
                "indicator {} is computed from the survey, not declared",
                req.indicator_id
            )))
        }
        None => {
            return Err(Error::bad_request(format!(
                "indicator {} does not exist (the catalogue: GET /api/v1/indicators)",
                req.indicator_id
            )))
        }
    }
    let (numerator, denominator) =
        match (req.numerator, req.denominator, req.status) {
            (None, None, Some(_)) => (0, 0),
            (Some(n), Some(d), None) if d > 0 && (0..=d).contains(&n) => (n, d),
            (Some(_), Some(_), None) => {
                return Err(Error::bad_request(
                    "give 0 ≤ numerator ≤ denominator, with a denominator above 0",
                ))
            }
            _ => return Err(Error::bad_request(
                "give either numerator and denominator, or a status (not_yet, none, not_started)",
            )),
        };
    let today = vietnam_date(now()).0;
    let date = req.value_date.clone().unwrap_or(today);
    if !is_iso_date(&date) {
        return Err(Error::bad_request(format!(
            "value_date '{date}' is not a date: write it as YYYY-MM-DD"
        )));
    }
    if req
        .note
        .as_deref()
        .is_some_and(|n| n.chars().count() > 1000)
    {
        return Err(Error::bad_request("note must be at most 1000 characters"));
    }
    let id = store
        .insert_declared(
            &NewDeclared {
                unit_code: &unit.code,
                indicator_id: req.indicator_id,
                numerator,
                denominator,
                value_date: &date,
                note: req.note.as_deref(),
                status: req.status.map(DeclaredStatus::as_str),
                entered_by: &who.username,
            },
            now(),
        )
        .await?;
    store
        .declared_history(&unit.code)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .map(DeclaredValue::from)
        .ok_or_else(|| Error::Internal("declared value vanished after insert".into()))
}

pub async fn history(store: &Store, who: &Principal, code: &str) -> Result<Vec<DeclaredValue>> {
    let unit = super::readable_unit(store, who, code).await?;
    Ok(store
        .declared_history(&unit.code)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
