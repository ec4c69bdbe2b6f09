//! From an access token, or a session, to the live `Principal` behind it.

use crate::auth::{Principal, Role, TokenKeys};
use crate::error::{Error, Result};

/// Verifies an access token and loads the live user and session behind it.
pub async fn principal_from_token(
    keys: &TokenKeys,
    store: &crate::store::Store,
    token: &str,
) -> Result<Principal> {
    let claims = keys.verify(token)?;
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| Error::unauthorized("access token invalid: sign in again"))?;
    load_principal(store, user_id, &claims.sid).await
}

/// The answer to a phone revoked as lost: it must delete its copy of the village data.
pub fn device_revoked() -> Error {
    Error::DeviceRevoked(
        "this phone was removed from the team (device revoked): the survey data on it is deleted; \
         ask your team lead to sign it in again if this is a mistake"
            .into(),
    )
}

/// Loads the live user and session behind `session_id`: fails when the session was revoked or
/// belongs to someone else, or the account was disabled or deleted. Open sync connections call
/// it again whenever access changes, so they hold no more than a new request would get.
pub async fn load_principal(
    store: &crate::store::Store,
    user_id: i64,
    session_id: &str,
) -> Result<Principal> {
    let session = store
        .session(session_id)
        .await?
        .filter(|s| s.user_id == user_id)
        .ok_or_else(|| Error::unauthorized("access token invalid: sign in again"))?;
    if session.revoked_at.is_some() {
        return Err(if session.wipe != 0 {
            device_revoked()
        } else {
            Error::unauthorized("this device was signed out (session revoked): sign in again")
        });
    }
    let user = store
        .user_by_id(user_id)
        .await?
        .ok_or_else(|| Error::unauthorized("account no longer exists"))?;
    if user.disabled != 0 {
        return Err(Error::forbidden(
            "this account is disabled: ask your team lead or commune officer",
        ));
    }
    let role = Role::parse(&user.role)
        .ok_or_else(|| Error::Internal(format!("unknown role '{}'", user.role)))?;
    Ok(Principal {
        user_id,
        username: user.username,
        role,
        scope_unit: user.scope_unit,
        scope_path: user.scope_path,
        session_id: session.id,
        device_id: session.device_id,
    })
}
