//! Assignments: a team lead gives a village (or some of its households) to a team member, with
//! a due date; members see theirs, leads see everyone's progress.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::clock::{is_iso_date, now, rfc3339};
use crate::error::{Error, Result};
use crate::store::{AssignmentRow, NewAssignment, ProgressRow, Store};

/// Most households one assignment may list.
pub const MAX_HOUSEHOLDS: usize = 5000;

#[derive(Debug, Serialize, ToSchema)]
pub struct Assignment {
    pub id: i64,
    pub village_code: String,
    pub village_name: String,
    pub assignee_id: i64,
    pub assignee_username: String,
    /// The member's name as shown to people.
    pub assignee_name: String,
    pub assigned_by: i64,
    /// The households assigned; absent means the whole village.
    pub household_ids: Option<Vec<String>>,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub progress: Progress,
}

/// Households visited out of those known (from synced records).
#[derive(Debug, Default, Clone, Copy, Serialize, ToSchema)]
pub struct Progress {
    pub households_total: i64,
    pub households_visited: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignmentRequest {
    pub village_code: String,
    /// Username of the team member.
    pub assignee: String,
    /// Household ids (UUIDs) within the village; omit to assign the whole village.
    pub household_ids: Option<Vec<String>>,
    pub due_date: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAssignmentRequest {
    pub due_date: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AssignmentQuery {
    /// Only assignments in this unit's subtree.
    pub unit: Option<String>,
    /// Only this member's assignments (username).
    pub assignee: Option<String>,
}

fn not_found(id: i64) -> Error {
    Error::not_found(format!("assignment {id} not found (or not in your area)"))
}

fn check_due_date(d: Option<&str>) -> Result<()> {
    match d {
        Some(d) if !is_iso_date(d) => Err(Error::bad_request(format!(
            "due_date '{d}' is not a date: write it as YYYY-MM-DD"
        ))),
        _ => Ok(()),
    }
}

fn check_note(n: Option<&str>) -> Result<()> {
    match n {
        Some(n) if n.chars().count() > 1000 => {
            Err(Error::bad_request("note must be at most 1000 characters"))
        }
        _ => Ok(()),
    }
}

pub async fn create_assignment(
    store: &Store,
    who: &Principal,
    req: NewAssignmentRequest,
) -> Result<Assignment> {
    who.require_role(Role::TeamLead, "assigning villages")?;
    check_due_date(req.due_date.as_deref())?;
    check_note(req.note.as_deref())?;
    let village = store
        .unit(&req.village_code)
        .await?
        .filter(|u| who.covers(&u.path))
        .ok_or_else(|| {
            Error::not_found(format!(
                "unit {} not found (or not in your area)",
                req.village_code
            ))
        })?;
    if village.level != "village" {
        return Err(Error::bad_request(format!(
            "{} is a {}: assign a village (thôn, bản, tổ dân phố)",
            village.code, village.level
        )));
    }
    if village.status != "active" {
        return Err(Error::bad_request(format!(
            "village {} is {}",
            village.code, village.status
        )));
    }
    let assignee = store
        .user_by_username(&req.assignee)
        .await?
        .filter(|u| who.covers(&u.scope_path))
        .ok_or_else(|| {
            Error::not_found(format!(
                "user {} not found (or not in your team)",
                req.assignee
            ))
        })?;
    if !matches!(
        Role::parse(&assignee.role),
        Some(Role::Enumerator | Role::TeamLead)
    ) || assignee.disabled != 0
    {
        return Err(Error::bad_request(format!(
            "{} is a {}{}: only active enumerators and team leads take assignments",
            assignee.username,
            assignee.role,
            if assignee.disabled != 0 {
                " (disabled)"
            } else {
                ""
            }
        )));
    }
    if !village.path.starts_with(&assignee.scope_path) {
        return Err(Error::bad_request(format!(
            "village {} is outside {}'s area ({})",
            village.code,
            assignee.username,
            assignee.scope_unit.as_deref().unwrap_or("none")
        )));
    }
    let households = match req.household_ids {
        None => None,
        Some(ids) => {
            if ids.is_empty() || ids.len() > MAX_HOUSEHOLDS {
                return Err(Error::bad_request(format!(
                    "household_ids must list 1–{MAX_HOUSEHOLDS} households, or be left out for the whole village"
                )));
            }
            let mut seen = HashSet::new();
            for id in &ids {
                if uuid::Uuid::parse_str(id).is_err() {
                    return Err(Error::bad_request(format!(
                        "household id '{id}' is not a UUID"
                    )));
                }
                if !seen.insert(id.to_lowercase()) {
                    return Err(Error::bad_request(format!(
                        "household id {id} is listed twice"
                    )));
                }
            }
            Some(serde_json::to_string(&ids).map_err(|e| Error::Internal(e.to_string()))?)
        }
    };
    if households.is_none() {
        let existing = store.assignments(&village.path, Some(assignee.id)).await?;
        if existing
            .iter()
            .any(|a| a.village_code == village.code && a.household_ids.is_none())
        {
            return Err(Error::Conflict(format!(
                "{} already has the whole village {} assigned",
                assignee.username, village.code
            )));
        }
    }
    let id = store
        .insert_assignment(
            &NewAssignment {
                village_code: &village.code,
                assignee_id: assignee.id,
                assigned_by: who.user_id,
                household_ids: households.as_deref(),
                due_date: req.due_date.as_deref(),
                note: req.note.as_deref(),
            },
            now(),
        )
        .await?;
    get_assignment(store, who, id).await
}

/// An assignment the caller may see: their own, or any in their area if they lead or manage.
async fn visible_assignment(store: &Store, who: &Principal, id: i64) -> Result<AssignmentRow> {
    let a = store.assignment(id).await?.ok_or_else(|| not_found(id))?;
    let visible =
        a.assignee_id == who.user_id || (who.role >= Role::TeamLead && who.covers(&a.village_path));
    if visible {
        Ok(a)
    } else {
        Err(not_found(id))
    }
}

pub async fn get_assignment(store: &Store, who: &Principal, id: i64) -> Result<Assignment> {
    let row = visible_assignment(store, who, id).await?;
    let mut out = with_progress(store, vec![row]).await?;
    out.pop().ok_or_else(|| not_found(id))
}

pub async fn list_assignments(
    store: &Store,
    who: &Principal,
    q: &AssignmentQuery,
) -> Result<Vec<Assignment>> {
    let under = match q.unit.as_deref() {
        Some(code) => {
            let unit = store
                .unit(code)
                .await?
                .filter(|u| who.role >= Role::TeamLead && who.covers(&u.path))
                .ok_or_else(|| {
                    Error::not_found(format!("unit {code} not found (or not in your area)"))
                })?;
            unit.path
        }
        None => who.visible_path().to_string(),
    };
    let assignee = if who.role < Role::TeamLead {
        Some(who.user_id)
    } else {
        match q.assignee.as_deref() {
            Some(name) => Some(
                store
                    .user_by_username(name)
                    .await?
                    .filter(|u| who.covers(&u.scope_path))
                    .ok_or_else(|| {
                        Error::not_found(format!("user {name} not found (or not in your team)"))
                    })?
                    .id,
            ),
            None => None,
        }
    };
    let under = if who.role < Role::TeamLead {
        "/".to_string()
    } else {
        under
    };
    let rows = store.assignments(&under, assignee).await?;
    with_progress(store, rows).await
}

pub async fn update_assignment(
    store: &Store,
    who: &Principal,
    id: i64,
    req: UpdateAssignmentRequest,
) -> Result<Assignment> {
    who.require_role(Role::TeamLead, "changing assignments")?;
    visible_assignment(store, who, id).await?;
    check_due_date(req.due_date.as_deref())?;
    check_note(req.note.as_deref())?;
    store
        .update_assignment(id, req.due_date.as_deref(), req.note.as_deref(), now())
        .await?;
    get_assignment(store, who, id).await
}

pub async fn delete_assignment(store: &Store, who: &Principal, id: i64) -> Result<()> {
    who.require_role(Role::TeamLead, "removing assignments")?;
    visible_assignment(store, who, id).await?;
    store.delete_assignment(id).await?;
    Ok(())
}

/// Attaches progress, reading each village's households once.
async fn with_progress(store: &Store, rows: Vec<AssignmentRow>) -> Result<Vec<Assignment>> {
    let mut villages: HashMap<String, Vec<ProgressRow>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        if !villages.contains_key(&a.village_code) {
            let progress = store.village_progress(&a.village_code).await?;
            villages.insert(a.village_code.clone(), progress);
        }
        let households: Option<Vec<String>> = match a.household_ids.as_deref() {
            Some(json) => Some(serde_json::from_str(json).map_err(|e| {
                Error::Internal(format!(
                    "assignment {} has unreadable households: {e}",
                    a.id
                ))
            })?),
            None => None,
        };
        let known = villages
            .get(&a.village_code)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let progress = match &households {
            None => Progress {
                households_total: known.len() as i64,
                households_visited: known.iter().map(|h| h.visited).sum(),
            },
            Some(ids) => {
                let wanted: HashSet<String> = ids.iter().map(|i| i.to_lowercase()).collect();
                Progress {
                    households_total: ids.len() as i64,
                    households_visited: known
                        .iter()
                        .filter(|h| wanted.contains(&h.id.to_lowercase()))
                        .map(|h| h.visited)
                        .sum(),
                }
            }
        };
        out.push(Assignment {
            id: a.id,
            village_code: a.village_code,
            village_name: a.village_name,
            assignee_id: a.assignee_id,
            assignee_username: a.assignee_username,
            assignee_name: a.assignee_name,
            assigned_by: a.assigned_by,
            household_ids: households,
            due_date: a.due_date,
            note: a.note,
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
            progress,
        });
    }
    Ok(out)
}
