//! A commune's team as its lead sees it: the people (never service accounts), what they were
//! given, their phones and when each last synced.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::{now, rfc3339};
use crate::error::{Error, Result};
use crate::store::{AssignmentRow, Store, TeamDeviceRow, UnitRow};
use crate::units::Level;
use crate::users::User;

/// How long a revoked or replaced phone stays on the team screen.
const ENDED_DEVICES_SHOWN_SECS: i64 = 30 * 86_400;

#[derive(Debug, Serialize, ToSchema)]
pub struct Team {
    pub unit: TeamUnit,
    pub members: Vec<TeamMember>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamUnit {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMember {
    #[serde(flatten)]
    pub user: User,
    pub assignments: Vec<TeamAssignment>,
    /// Live phones and those ended in the last 30 days, newest first; one entry per phone.
    pub devices: Vec<TeamDevice>,
    /// When the server last stored changes from any of the member's phones.
    pub last_sync_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamAssignment {
    pub id: i64,
    pub village_code: String,
    pub village_name: String,
    /// How many households were given; absent (null) for the whole village.
    pub household_count: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDevice {
    pub session_id: String,
    pub device_id: String,
    pub signed_in_at: String,
    pub last_seen_at: String,
    /// When the server last stored changes from this phone (null: never).
    pub last_sync_at: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
    /// Revoked as lost: it deletes its copy of the data at its next contact.
    pub wiped: bool,
}

impl From<TeamDeviceRow> for TeamDevice {
    fn from(d: TeamDeviceRow) -> Self {
        TeamDevice {
            session_id: d.session_id,
            device_id: d.device_id,
            signed_in_at: rfc3339(d.created_at),
            last_seen_at: rfc3339(d.last_seen_at),
            last_sync_at: d.last_sync_at.map(rfc3339),
            revoked_at: d.revoked_at.map(rfc3339),
            revoked_reason: d.revoked_reason,
            wiped: d.wipe != 0,
        }
    }
}

/// The commune whose team `who` may see: `code`, or their own scope when absent.
async fn team_commune(store: &Store, who: &Principal, code: Option<&str>) -> Result<UnitRow> {
    if who.role < Role::TeamLead {
        return Err(Error::forbidden(
            "only a team lead or an officer sees a team: ask your team lead",
        ));
    }
    let code = code.or(who.scope_unit.as_deref()).ok_or_else(|| {
        Error::bad_request("name the commune whose team to show: ?unit=<commune code>")
    })?;
    let unit = store
        .unit(code)
        .await?
        .filter(|u| who.covers(&u.path))
        .ok_or_else(|| Error::not_found(format!("unit {code} not found (or not in your area)")))?;
    if Level::parse(&unit.level) != Some(Level::Commune) {
        return Err(Error::bad_request(format!(
            "{} is a {}: a team works in a commune, pick one",
            unit.name, unit.level
        )));
    }
    Ok(unit)
}

/// The team of a commune: every enumerator and team lead scoped inside it.
pub async fn team(store: &Store, who: &Principal, unit: Option<&str>) -> Result<Team> {
    let commune = team_commune(store, who, unit).await?;
    let at = now();
    let users = store.team_users(&commune.path).await?;
    let mut assignments: HashMap<i64, Vec<TeamAssignment>> = HashMap::new();
    for a in store.assignments(&commune.path, None).await? {
        assignments
            .entry(a.assignee_id)
            .or_default()
            .push(team_assignment(a));
    }
    let mut devices: HashMap<i64, Vec<TeamDevice>> = HashMap::new();
    for d in store
        .team_devices(&commune.path, at - ENDED_DEVICES_SHOWN_SECS, at)
        .await?
    {
        let list = devices.entry(d.user_id).or_default();
        // Newest first: an older session of the same phone (signed in again) is not shown.
        if !list.iter().any(|known| known.device_id == d.device_id) {
            list.push(d.into());
        }
    }
    let last_syncs: HashMap<i64, i64> =
        store.last_syncs(&commune.path).await?.into_iter().collect();
    let members = users
        .into_iter()
        .map(|u| {
            let id = u.id;
            TeamMember {
                user: u.into(),
                assignments: assignments.remove(&id).unwrap_or_default(),
                devices: devices.remove(&id).unwrap_or_default(),
                last_sync_at: last_syncs.get(&id).copied().map(rfc3339),
            }
        })
        .collect();
    Ok(Team {
        unit: TeamUnit {
            code: commune.code,
            name: commune.name,
        },
        members,
    })
}

fn team_assignment(a: AssignmentRow) -> TeamAssignment {
    let household_count = a
        .household_ids
        .as_deref()
        .map(|ids| serde_json::from_str::<Vec<String>>(ids).map_or(0, |v| v.len()));
    TeamAssignment {
        id: a.id,
        village_code: a.village_code,
        village_name: a.village_name,
        household_count,
    }
}
