//! The open conflicts of a team lead's villages: a field two phones set differently while
//! offline, with every value, who wrote it, from which phone and when. The lead settles one by
//! writing the field again from their phone (the value they pick, or the current one); the
//! server sees the field hold one value and closes it. Values are person-level data: commune
//! staff only.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::store::Store;

/// At most this many conflicts per answer (newest first).
const LIMIT: i64 = 1000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConflictQuery {
    /// `open` (default) or `all` (settled ones too, with what settled them).
    pub state: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Conflict {
    pub id: i64,
    pub document_id: String,
    pub village_code: String,
    pub village_name: String,
    pub household_id: String,
    /// The household's head as the server last projected it.
    pub head_name: Option<String>,
    /// Path inside the household: `head_name`, `persons/<person id>/full_name`…
    pub field: String,
    /// Every value the document holds, the one phones show now last.
    pub candidates: Vec<Candidate>,
    pub detected_at: String,
    pub settled_at: Option<String>,
    pub settled_by: Option<i64>,
    /// The value the field was set to when settled.
    pub settled_value: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Candidate {
    pub value: serde_json::Value,
    /// The phone's view of the others: true for the value phones show now.
    pub current: bool,
    pub user_id: Option<i64>,
    pub display_name: Option<String>,
    pub device_id: Option<String>,
    /// The phone's time of the change that wrote it, when known.
    pub at: Option<String>,
}

/// Conflicts in a unit's area (team lead, commune officer, admin).
pub async fn conflicts(
    store: &Store,
    who: &Principal,
    code: &str,
    q: &ConflictQuery,
) -> Result<Vec<Conflict>> {
    who.require_role(Role::TeamLead, "listing conflicting edits")?;
    if matches!(who.role, Role::District | Role::Province) {
        return Err(Error::forbidden(
            "conflicting edits hold person-level values: only commune staff see them",
        ));
    }
    let settled = match q.state.as_deref() {
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
    let rows = store.conflicts_under(&unit.path, settled, LIMIT).await?;
    let parsed: Vec<Vec<serde_json::Value>> = rows
        .iter()
        .map(|r| serde_json::from_str(&r.candidates).unwrap_or_default())
        .collect();
    let mut actors: Vec<String> = parsed
        .iter()
        .flatten()
        .filter_map(|c| c["actor"].as_str().map(str::to_string))
        .collect();
    actors.sort();
    actors.dedup();
    let owners: HashMap<String, _> = store
        .actor_owners(&actors)
        .await?
        .into_iter()
        .map(|o| (o.actor.clone(), o))
        .collect();
    Ok(rows
        .into_iter()
        .zip(parsed)
        .map(|(r, values)| {
            let last = values.len().saturating_sub(1);
            let candidates = values
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let owner = c["actor"].as_str().and_then(|a| owners.get(a));
                    Candidate {
                        value: c["value"].clone(),
                        current: i == last,
                        user_id: owner.map(|o| o.user_id),
                        display_name: owner.map(|o| o.display_name.clone()),
                        device_id: owner.map(|o| o.device_id.clone()),
                        at: c["at"].as_i64().filter(|&t| t > 0).map(rfc3339),
                    }
                })
                .collect();
            Conflict {
                id: r.id,
                document_id: r.document_id,
                village_code: r.village_code,
                village_name: r.village_name,
                household_id: r.household_id,
                head_name: r.head_name,
                field: r.field,
                candidates,
                detected_at: rfc3339(r.detected_at),
                settled_at: r.settled_at.map(rfc3339),
                settled_by: r.settled_by,
                settled_value: r
                    .settled_value
                    .as_deref()
                    .and_then(|v| serde_json::from_str(v).ok()),
            }
        })
        .collect())
}
