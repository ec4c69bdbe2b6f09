//! "Cần sửa": the team lead sends a household (or one person in it) back to the member with a
//! comment. It shows on the member's phone until someone other than the lead changes that record
//! (the commit step marks it fixed) or the lead withdraws it.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::clock::{now, rfc3339};
use crate::error::{Error, Result};
use crate::store::{NewSendBack, SendBackRow, Store};

/// At most this many send-backs per answer (newest first).
const LIMIT: i64 = 1000;
const MAX_COMMENT_CHARS: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBackRequest {
    /// One person of the household; absent for the household as a whole.
    pub person_id: Option<String>,
    /// What to fix, for the member (1–500 characters).
    pub comment: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SendBackQuery {
    /// `open` (default) or `all` (fixed and withdrawn ones too).
    pub state: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SendBack {
    pub id: i64,
    pub village_code: String,
    pub village_name: String,
    pub household_id: String,
    pub head_name: Option<String>,
    pub person_id: Option<String>,
    pub comment: String,
    pub created_by: i64,
    /// The lead's name as shown to people.
    pub created_by_name: String,
    pub created_at: String,
    pub cleared_at: Option<String>,
    /// `fixed` (the record was changed) or `withdrawn`.
    pub cleared_reason: Option<String>,
}

impl From<SendBackRow> for SendBack {
    fn from(r: SendBackRow) -> Self {
        SendBack {
            id: r.id,
            village_code: r.village_code,
            village_name: r.village_name,
            household_id: r.household_id,
            head_name: r.head_name,
            person_id: r.person_id,
            comment: r.comment,
            created_by: r.created_by,
            created_by_name: r.created_by_name,
            created_at: rfc3339(r.created_at),
            cleared_at: r.cleared_at.map(rfc3339),
            cleared_reason: r.cleared_reason,
        }
    }
}

/// Commune staff who review records: the team lead, the commune officer, the administrator.
fn require_reviewer(who: &Principal) -> Result<()> {
    if matches!(who.role, Role::TeamLead | Role::Commune | Role::Admin) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only the team lead or the commune officer sends records back",
        ))
    }
}

pub async fn send_back(
    store: &Store,
    who: &Principal,
    household_id: &str,
    req: SendBackRequest,
) -> Result<SendBack> {
    require_reviewer(who)?;
    let hidden = || {
        Error::not_found(format!(
            "household {household_id} not found (or not in your area)"
        ))
    };
    let place = store
        .household_place(household_id)
        .await?
        .filter(|p| who.covers(&p.village_path))
        .ok_or_else(hidden)?;
    let comment = req.comment.trim();
    if comment.is_empty() || comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(Error::bad_request(format!(
            "say what to fix in 1–{MAX_COMMENT_CHARS} characters"
        )));
    }
    if let Some(person) = req.person_id.as_deref() {
        if !store.person_in_household(person, household_id).await? {
            return Err(Error::not_found(format!(
                "person {person} is not in household {household_id}"
            )));
        }
    }
    let id = store
        .insert_send_back(
            &NewSendBack {
                document_id: &place.document_id,
                village_code: &place.village_code,
                household_id,
                person_id: req.person_id.as_deref(),
                comment,
                created_by: who.user_id,
            },
            now(),
        )
        .await?;
    found(store, id).await
}

async fn found(store: &Store, id: i64) -> Result<SendBack> {
    Ok(store
        .send_back(id)
        .await?
        .ok_or_else(|| Error::not_found(format!("send-back {id} not found")))?
        .into())
}

/// The lead takes a send-back back.
pub async fn withdraw(store: &Store, who: &Principal, id: i64) -> Result<SendBack> {
    require_reviewer(who)?;
    let row = store
        .send_back(id)
        .await?
        .filter(|r| who.covers(&r.village_path))
        .ok_or_else(|| {
            Error::not_found(format!("send-back {id} not found (or not in your area)"))
        })?;
    if row.cleared_at.is_some() {
        return Err(Error::Conflict(format!(
            "send-back {id} is already {}",
            row.cleared_reason.as_deref().unwrap_or("cleared")
        )));
    }
    store.withdraw_send_back(id, who.user_id, now()).await?;
    found(store, id).await
}

/// Send-backs in a unit's area (commune staff).
pub async fn list(
    store: &Store,
    who: &Principal,
    code: &str,
    q: &SendBackQuery,
) -> Result<Vec<SendBack>> {
    require_reviewer(who)?;
    let cleared = match q.state.as_deref() {
        None | Some("open") => false,
        Some("all") => true,
        Some(other) => {
            return Err(Error::bad_request(format!(
                "state '{other}' is not known: use open or all"
            )))
        }
    };
    let unit = store
        .unit(code)
        .await?
        .filter(|u| who.covers(&u.path))
        .ok_or_else(|| Error::not_found(format!("unit {code} not found (or not in your area)")))?;
    Ok(store
        .send_backs_under(&unit.path, cleared, LIMIT)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The open send-backs a member should see: in their assigned villages (a member), or in
/// their area (a lead or the commune officer).
pub async fn mine(store: &Store, who: &Principal) -> Result<Vec<SendBack>> {
    let rows = match who.role {
        Role::Enumerator => store.send_backs_of_assignee(who.user_id).await?,
        Role::TeamLead | Role::Commune | Role::Admin => {
            store
                .send_backs_under(who.visible_path(), false, LIMIT)
                .await?
        }
        _ => Vec::new(),
    };
    Ok(rows.into_iter().map(Into::into).collect())
}
