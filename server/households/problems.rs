//! Records the server stored but could not project (a wrong type, a document from a newer
//! version of the app): listed per area so a team lead can have them fixed on a phone.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::store::Store;

/// At most this many problems per answer (newest first).
const LIMIT: i64 = 1000;

/// One record the projection could not read.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordProblem {
    pub village_code: String,
    /// The household id, or `*` when the whole document could not be read.
    pub household_id: String,
    /// What is wrong, field by field.
    pub message: String,
    pub at: String,
}

/// The unreadable records in a unit's area (team lead and above).
pub async fn record_problems(
    store: &Store,
    who: &Principal,
    code: &str,
) -> Result<Vec<RecordProblem>> {
    who.require_role(Role::TeamLead, "listing record problems")?;
    // Same refusal as every unit endpoint: 404 whether missing or outside the area.
    let unit = store
        .unit(code)
        .await?
        .filter(|u| who.covers(&u.path))
        .ok_or_else(|| Error::not_found(format!("unit {code} not found (or not in your area)")))?;
    Ok(store
        .projection_errors_under(&unit.path, LIMIT)
        .await?
        .into_iter()
        .map(|r| RecordProblem {
            village_code: r.village_code,
            household_id: r.household_id,
            message: r.message,
            at: rfc3339(r.at),
        })
        .collect())
}
