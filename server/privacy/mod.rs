//! Personal-data reads by officials: each one is logged (who, from which device, which village,
//! what), and the log can be read back by the officials responsible for that area.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::clock::{now, rfc3339};
use crate::error::{Error, Result};
use crate::store::{AccessLogRow, NewAccess, Store};

/// What was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// A village document (names, citizen ID numbers, phone numbers) opened over sync.
    VillageDocument,
    /// The change history of one household.
    HouseholdHistory,
    /// The raw-data export of a commune or village (every household and person).
    RawData,
}

impl Read {
    fn as_str(self) -> &'static str {
        match self {
            Read::VillageDocument => "village_document",
            Read::HouseholdHistory => "household_history",
            Read::RawData => "raw_data",
        }
    }
}

/// Whether `who` is an official rather than field staff: their person-level reads are logged.
pub fn is_official(who: &Principal) -> bool {
    who.role >= Role::Commune
}

/// Logs a person-level read when `who` is an official, and every raw-data export. The
/// caller refuses the read when this fails: an unlogged read must not happen.
pub async fn record_read(
    store: &Store,
    who: &Principal,
    what: Read,
    unit_code: &str,
    unit_path: &str,
    detail: &str,
) -> Result<()> {
    // A bulk export is logged whoever makes it; field staff's other reads are of their own work.
    if !is_official(who) && what != Read::RawData {
        return Ok(());
    }
    store
        .log_access(&NewAccess {
            at: now(),
            user_id: who.user_id,
            username: &who.username,
            role: who.role.as_str(),
            device_id: &who.device_id,
            unit_code,
            unit_path,
            action: what.as_str(),
            detail,
        })
        .await?;
    Ok(())
}

/// `GET /api/v1/access-log` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AccessLogQuery {
    /// Only reads of data under this unit (default: the caller's whole area).
    pub unit: Option<String>,
    /// Only reads on or after this day (YYYY-MM-DD, Vietnam time); default the last 30 days.
    pub since: Option<String>,
    /// At most this many entries, newest first (default 200, at most 1000).
    pub limit: Option<i64>,
}

/// One logged read.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntry {
    pub at: String,
    pub user_id: i64,
    pub username: String,
    /// The reader as the team knows them.
    pub display_name: Option<String>,
    pub role: String,
    pub device_id: String,
    pub unit_code: String,
    pub action: String,
    pub detail: String,
}

impl From<AccessLogRow> for AccessEntry {
    fn from(r: AccessLogRow) -> Self {
        AccessEntry {
            at: rfc3339(r.at),
            user_id: r.user_id,
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            device_id: r.device_id,
            unit_code: r.unit_code,
            action: r.action,
            detail: r.detail,
        }
    }
}

/// Reads of person-level data in the caller's area (commune officers and above).
pub async fn access_log(
    store: &Store,
    who: &Principal,
    query: &AccessLogQuery,
) -> Result<Vec<AccessEntry>> {
    who.require_role(Role::Commune, "reading the access log")?;
    let under = match &query.unit {
        None => who.visible_path().to_string(),
        Some(code) => {
            let unit = store
                .unit(code)
                .await?
                .filter(|u| who.covers(&u.path))
                .ok_or_else(|| {
                    Error::not_found(format!("unit {code} not found (or not in your area)"))
                })?;
            unit.path
        }
    };
    let since = match &query.since {
        None => now() - 30 * 24 * 3600,
        Some(day) => crate::clock::vietnam_day_start(day).ok_or_else(|| {
            Error::bad_request(format!("since '{day}' is not a date: use YYYY-MM-DD"))
        })?,
    };
    let limit = query.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(Error::bad_request("limit must be between 1 and 1000"));
    }
    Ok(store
        .access_log(&under, since, limit)
        .await?
        .into_iter()
        .map(AccessEntry::from)
        .collect())
}
