//! Who may sync which village document: enumerators their assigned villages (read-write), team
//! leads the villages of their area (read-write), commune officers read-only; higher levels read
//! SQL aggregates and get no documents.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::error::Result;
use crate::store::{Store, VillageDocRow};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

/// The access `who` has to a village document, or `None`.
pub async fn document_access(
    store: &Store,
    who: &Principal,
    doc: &VillageDocRow,
) -> Result<Option<Access>> {
    if doc.unit_status != "active" && who.role == Role::Enumerator {
        return Ok(None);
    }
    Ok(match who.role {
        Role::Enumerator => {
            let assigned = store
                .assignments("/", Some(who.user_id))
                .await?
                .iter()
                .any(|a| a.village_code == doc.unit_code);
            assigned.then_some(Access::ReadWrite)
        }
        Role::TeamLead if who.covers(&doc.path) => Some(Access::ReadWrite),
        Role::Commune if who.covers(&doc.path) => Some(Access::ReadOnly),
        _ => None,
    })
}
