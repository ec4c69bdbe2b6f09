//! The team lead approves a village's work for a week; the commune sees which villages are
//! approved. Approval never blocks work (the documents keep accepting changes): a change after
//! it shows as "changed since approval", and approving again takes the new state.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::clock::{now, rfc3339, vietnam_date, week_of};
use crate::error::{Error, Result};
use crate::store::{ApprovalRow, Store};

#[derive(Debug, Default, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WeekChoice {
    /// Any day of the week (`YYYY-MM-DD`, Vietnam time); today when absent.
    pub week: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VillageApproval {
    pub village_code: String,
    pub village_name: String,
    pub approved: bool,
    pub approved_by: Option<i64>,
    pub approved_by_name: Option<String>,
    pub approved_at: Option<String>,
    /// The village's document changed after it was approved.
    pub changed_since_approval: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeekApprovals {
    /// The Monday the week starts on.
    pub week: String,
    pub villages: Vec<VillageApproval>,
}

impl From<ApprovalRow> for VillageApproval {
    fn from(r: ApprovalRow) -> Self {
        let changed = r.approved_heads.is_some() && r.approved_heads != r.heads;
        VillageApproval {
            village_code: r.village_code,
            village_name: r.village_name,
            approved: r.approved_at.is_some(),
            approved_by: r.approved_by,
            approved_by_name: r.approved_by_name,
            approved_at: r.approved_at.map(rfc3339),
            changed_since_approval: changed,
        }
    }
}

fn week(choice: &WeekChoice) -> Result<String> {
    let day = choice.week.clone().unwrap_or_else(|| vietnam_date(now()).0);
    week_of(&day)
        .ok_or_else(|| Error::bad_request(format!("week '{day}' is not a date (YYYY-MM-DD)")))
}

/// The lead (or the commune officer) approves a village's week.
pub async fn approve(
    store: &Store,
    who: &Principal,
    village: &str,
    choice: &WeekChoice,
) -> Result<WeekApprovals> {
    if !matches!(who.role, Role::TeamLead | Role::Commune | Role::Admin) {
        return Err(Error::forbidden(
            "only the team lead or the commune officer approves a village's work",
        ));
    }
    let unit = store
        .unit(village)
        .await?
        .filter(|u| who.covers(&u.path))
        .ok_or_else(|| {
            Error::not_found(format!("unit {village} not found (or not in your area)"))
        })?;
    if unit.level != "village" {
        return Err(Error::bad_request(format!(
            "{} is a {}: work is approved village by village",
            unit.name, unit.level
        )));
    }
    let week = week(choice)?;
    let heads = store
        .village_document_of_unit(village)
        .await?
        .map(|d| d.heads)
        .unwrap_or_default();
    store
        .approve_village(village, &week, &heads, who.user_id, now())
        .await?;
    tracing::info!(by = %who.username, village, week, "village approved");
    let villages = store
        .approvals_under(&unit.path, &week)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(WeekApprovals { week, villages })
}

/// The approval of every village under a unit for a week (team lead and above, in scope).
pub async fn approvals(
    store: &Store,
    who: &Principal,
    code: &str,
    choice: &WeekChoice,
) -> Result<WeekApprovals> {
    who.require_role(Role::TeamLead, "reading approvals")?;
    let unit = store
        .unit(code)
        .await?
        .filter(|u| who.covers(&u.path))
        .ok_or_else(|| Error::not_found(format!("unit {code} not found (or not in your area)")))?;
    let week = week(choice)?;
    let villages = store
        .approvals_under(&unit.path, &week)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(WeekApprovals { week, villages })
}
