//! Past days whose figures were restated: phones that synced late brought changes observed on
//! or before those days, so "as of" them now answers differently than it did. Who brought the
//! changes and when stays on record beside the restated figures.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Principal;
use crate::clock::{is_iso_date, now, rfc3339, vietnam_date};
use crate::error::{Error, Result};
use crate::metrics::readable_unit;
use crate::store::{RestatementRow, Store};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RestatementQuery {
    /// First day (`YYYY-MM-DD`) whose restatements are listed; default: 60 days ago.
    pub from: Option<String>,
    /// Last day listed; default: today.
    pub to: Option<String>,
}

/// One village's day restated by one sync.
#[derive(Debug, Serialize, ToSchema)]
pub struct Restatement {
    pub village_code: String,
    pub village_name: String,
    /// The day whose figures changed.
    pub day: String,
    /// When the late changes arrived (RFC 3339).
    pub restated_at: String,
    /// Who synced them (absent for server-side edits such as a register import).
    pub username: Option<String>,
    /// Their name as shown to people.
    pub display_name: Option<String>,
    pub device_id: Option<String>,
    /// Changes of that sync observed on or before the day.
    pub changes: i64,
}

impl From<RestatementRow> for Restatement {
    fn from(r: RestatementRow) -> Self {
        Restatement {
            village_code: r.village_code,
            village_name: r.village_name,
            day: r.day,
            restated_at: rfc3339(r.restated_at),
            username: r.username,
            display_name: r.display_name,
            device_id: r.device_id,
            changes: r.changes,
        }
    }
}

/// Restatements of days in `[from, to]` in the unit's subtree, newest first (at most 500).
pub async fn list(
    store: &Store,
    who: &Principal,
    code: &str,
    q: &RestatementQuery,
) -> Result<Vec<Restatement>> {
    let unit = readable_unit(store, who, code).await?;
    let at = now();
    let from = q
        .from
        .clone()
        .unwrap_or_else(|| vietnam_date(at - 60 * 24 * 3600).0);
    let to = q.to.clone().unwrap_or_else(|| vietnam_date(at).0);
    for d in [&from, &to] {
        if !is_iso_date(d) {
            return Err(Error::bad_request(format!(
                "'{d}' is not a date: write it as YYYY-MM-DD"
            )));
        }
    }
    Ok(store
        .restatements(&unit.path, &from, &to, 500)
        .await?
        .into_iter()
        .map(Restatement::from)
        .collect())
}
