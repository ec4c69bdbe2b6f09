//! Official codes held for a period: which unit held a code on a given day.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Principal;
use crate::clock::{is_iso_date, now, vietnam_date};
use crate::error::{Error, Result};
use crate::store::{CodePeriodRow, Store};
use crate::units::{get_unit, Unit};

/// A period in which a unit held an official code.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodePeriod {
    pub code: String,
    /// Identity of the unit holding it.
    pub unit_code: String,
    /// First day held (`0001-01-01`: since before the system knew).
    pub valid_from: String,
    /// First day no longer held; none while it is.
    pub valid_to: Option<String>,
}

impl From<CodePeriodRow> for CodePeriod {
    fn from(r: CodePeriodRow) -> Self {
        CodePeriod {
            code: r.code,
            unit_code: r.unit_code,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CodeQuery {
    /// The day (YYYY-MM-DD); today by default.
    pub on: Option<String>,
}

/// Who held a code on a day, and every period of that code.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeLookup {
    pub code: String,
    pub on: String,
    pub unit: Unit,
    pub periods: Vec<CodePeriod>,
}

/// The unit that held `code` on the day asked (today by default).
pub async fn unit_by_code(
    store: &Store,
    who: &Principal,
    code: &str,
    q: &CodeQuery,
) -> Result<CodeLookup> {
    let on = match &q.on {
        Some(day) if is_iso_date(day) => day.clone(),
        Some(day) => {
            return Err(Error::bad_request(format!(
                "'{day}' is not a date: write YYYY-MM-DD"
            )))
        }
        None => vietnam_date(now()).0,
    };
    let periods = store.code_periods(code).await?;
    let holder = periods
        .iter()
        .find(|p| {
            p.valid_from.as_str() <= on.as_str()
                && p.valid_to.as_deref().is_none_or(|t| t > on.as_str())
        })
        .map(|p| p.unit_code.clone())
        .ok_or_else(|| Error::not_found(format!("no unit held code {code} on {on}")))?;
    let unit = get_unit(store, who, &holder).await?.unit;
    Ok(CodeLookup {
        code: code.to_string(),
        on,
        unit,
        periods: periods.into_iter().map(Into::into).collect(),
    })
}
