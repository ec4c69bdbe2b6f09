//! The phones a user is signed in on, and taking them away: a lost phone is revoked (its open
//! sync connections close at once and, at its next contact, it deletes its copy of the data).

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::clock::{now, rfc3339};
use crate::error::{Error, Result};
use crate::store::{SessionRow, Store};
use crate::users::managed_user;

/// A device the user is (or was) signed in on.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceSession {
    pub id: String,
    pub device_id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
    /// Revoked as a lost phone: it deletes its copy of the village data at its next contact.
    pub wiped: bool,
}

impl From<SessionRow> for DeviceSession {
    fn from(s: SessionRow) -> Self {
        DeviceSession {
            id: s.id,
            device_id: s.device_id,
            created_at: rfc3339(s.created_at),
            last_seen_at: rfc3339(s.last_seen_at),
            expires_at: rfc3339(s.expires_at),
            revoked_at: s.revoked_at.map(rfc3339),
            revoked_reason: s.revoked_reason,
            wiped: s.wipe != 0,
        }
    }
}

pub async fn list_sessions(store: &Store, who: &Principal, id: i64) -> Result<Vec<DeviceSession>> {
    if id != who.user_id {
        managed_user(store, who, id).await?;
    }
    Ok(store
        .sessions_of(id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Revokes one device (a lost phone), or every device when `session_id` is `None`. Someone
/// else's devices are revoked as lost (their data is wiped); your own are signed out.
pub async fn revoke_sessions(
    store: &Store,
    who: &Principal,
    id: i64,
    session_id: Option<&str>,
) -> Result<u64> {
    let wipe = id != who.user_id;
    if wipe {
        managed_user(store, who, id).await?;
    }
    let at = now();
    let reason = format!("revoked by {}", who.username);
    match session_id {
        Some(sid) => {
            let session = store
                .session(sid)
                .await?
                .filter(|s| s.user_id == id)
                .ok_or_else(|| {
                    Error::not_found(format!("session {sid} not found for user {id}"))
                })?;
            Ok(u64::from(
                store.revoke_session(&session.id, &reason, wipe, at).await?,
            ))
        }
        None => Ok(store.revoke_user_sessions(id, &reason, wipe, at).await?),
    }
}
