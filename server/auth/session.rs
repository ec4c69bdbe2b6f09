//! Login, silent refresh and logout of a device session.

use std::net::IpAddr;

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::throttle::LoginThrottle;
use crate::auth::token::{hash_refresh_token, new_refresh_token, successor_refresh_token};
use crate::auth::verify::device_revoked;
use crate::auth::TokenKeys;
use crate::auth::{verify_password, Principal, Role};
use crate::clock::now;
use crate::error::{Error, Result};
use crate::store::{RefreshOutcome, Store, UserRow};

/// Token lifetimes and sign-in limits (from the configuration).
#[derive(Debug, Clone)]
pub struct SessionPolicy {
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
    /// How long a refresh token may be presented again (a lost answer) without revoking.
    pub refresh_reuse_grace_secs: i64,
    pub login_max_failures: i64,
    pub login_lock_secs: i64,
    /// The server secret the next refresh token is derived with.
    pub refresh_secret: Vec<u8>,
}

/// What sign-in, refresh and sign-out work with.
#[derive(Clone, Copy)]
pub struct Sessions<'a> {
    pub store: &'a Store,
    pub keys: &'a TokenKeys,
    pub throttle: &'a LoginThrottle,
    pub policy: &'a SessionPolicy,
}

impl Sessions<'_> {
    /// Refuses a sign-in attempt while the client's address is over its rate.
    pub fn check_rate(&self, client: IpAddr) -> Result<()> {
        self.throttle.attempt(client).map_err(|wait| {
            let secs = wait.as_secs().max(1);
            tracing::warn!(%client, "sign-in attempts over the rate");
            Error::TooManyRequests {
                message: format!(
                    "too many sign-in attempts from this network: wait {secs} seconds, then try again"
                ),
                retry_after_secs: secs,
            }
        })
    }
}

/// Answer to a login or refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// Bearer token for the API and the sync WebSocket.
    pub access_token: String,
    /// Opaque token for `POST /api/v1/auth/refresh`; single use, replaced on every refresh.
    pub refresh_token: String,
    /// Seconds until `access_token` expires.
    pub expires_in: i64,
    /// Seconds until `refresh_token` expires if unused.
    pub refresh_expires_in: i64,
    pub token_type: &'static str,
    pub user: SessionUser,
}

/// Who signed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope_unit: Option<String>,
}

const WRONG_CREDENTIALS: &str = "wrong username or password";

/// The answer while an account is locked, with the minutes left.
fn locked(secs_left: i64) -> Error {
    let secs = secs_left.max(1) as u64;
    Error::TooManyRequests {
        message: format!(
            "this account is locked after too many wrong passwords: try again in {} minutes, \
             or ask your administrator to reset the password",
            secs.div_ceil(60)
        ),
        retry_after_secs: secs,
    }
}

/// Signs a user in on a device. Refused while the client's address is over its rate or the
/// account is locked; every wrong password counts towards the account's lock.
pub async fn login(
    state: Sessions<'_>,
    client: IpAddr,
    username: &str,
    password: &str,
    device_id: &str,
) -> Result<TokenPair> {
    validate_device_id(device_id)?;
    state.check_rate(client)?;
    let user = state.store.user_by_username(username).await?;
    let at = now();
    if let Some(until) = user
        .as_ref()
        .and_then(|u| u.locked_until)
        .filter(|&t| t > at)
    {
        return Err(locked(until - at));
    }
    let ok = verify_password(
        password.to_string(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let user = match user {
        Some(u) if ok => u,
        Some(u) => {
            let cfg = state.policy;
            let lock = state
                .store
                .record_login_failure(u.id, cfg.login_max_failures, at + cfg.login_lock_secs)
                .await?;
            if lock.is_some() {
                tracing::warn!(user = %u.username, %client, "account locked after wrong passwords");
                return Err(locked(cfg.login_lock_secs));
            }
            return Err(Error::unauthorized(WRONG_CREDENTIALS));
        }
        None => return Err(Error::unauthorized(WRONG_CREDENTIALS)),
    };
    if user.disabled != 0 {
        return Err(Error::forbidden(
            "this account is disabled: ask your team lead or commune officer to re-enable it",
        ));
    }
    state.store.clear_login_failures(user.id).await?;
    open_session(state, user, device_id, at).await
}

/// Opens a device session for a user who proved who they are (password or one-time code).
pub(super) async fn open_session(
    state: Sessions<'_>,
    user: UserRow,
    device_id: &str,
    at: i64,
) -> Result<TokenPair> {
    let role = Role::parse(&user.role)
        .ok_or_else(|| Error::Internal(format!("unknown role '{}'", user.role)))?;
    let cfg = state.policy;
    let session_id = uuid::Uuid::new_v4().to_string();
    let refresh_token = new_refresh_token();
    state
        .store
        .create_session(
            &session_id,
            user.id,
            device_id,
            &hash_refresh_token(&refresh_token),
            at,
            at + cfg.refresh_ttl_secs,
        )
        .await?;
    tracing::info!(user = %user.username, device = device_id, "login");
    Ok(TokenPair {
        access_token: state
            .keys
            .issue(user.id, &session_id, at, cfg.access_ttl_secs)?,
        refresh_token,
        expires_in: cfg.access_ttl_secs,
        refresh_expires_in: cfg.refresh_ttl_secs,
        token_type: "Bearer",
        user: SessionUser {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role,
            scope_unit: user.scope_unit,
        },
    })
}

/// Rotates a refresh token: the old one dies, a new pair is returned. A retry with the same token
/// within the grace gets the same new refresh token (and a fresh access token).
pub async fn refresh(state: Sessions<'_>, refresh_token: &str) -> Result<TokenPair> {
    let cfg = state.policy;
    let at = now();
    let new_token = successor_refresh_token(&cfg.refresh_secret, refresh_token)?;
    let outcome = state
        .store
        .rotate_refresh_token(
            &hash_refresh_token(refresh_token),
            &hash_refresh_token(&new_token),
            at,
            at + cfg.refresh_ttl_secs,
            cfg.refresh_reuse_grace_secs,
        )
        .await?;
    let (session_id, user_id) = match outcome {
        RefreshOutcome::Rotated {
            session_id,
            user_id,
        } => (session_id, user_id),
        RefreshOutcome::Reused => {
            tracing::warn!("refresh token reused: device session revoked");
            return Err(Error::unauthorized(
                "this refresh token was already used, so the device session was closed for safety: sign in again",
            ));
        }
        RefreshOutcome::Expired => {
            return Err(Error::unauthorized("refresh token expired: sign in again"))
        }
        RefreshOutcome::Revoked { wipe: true } => return Err(device_revoked()),
        RefreshOutcome::Revoked { wipe: false } => {
            return Err(Error::unauthorized(
                "this device was signed out (session revoked): sign in again",
            ))
        }
        RefreshOutcome::Unknown => {
            return Err(Error::unauthorized(
                "refresh token not recognised: sign in again",
            ))
        }
    };
    let user = state
        .store
        .user_by_id(user_id)
        .await?
        .ok_or_else(|| Error::unauthorized("account no longer exists"))?;
    if user.disabled != 0 {
        state
            .store
            .revoke_session(&session_id, "account disabled", true, at)
            .await?;
        return Err(device_revoked());
    }
    let role = Role::parse(&user.role)
        .ok_or_else(|| Error::Internal(format!("unknown role '{}'", user.role)))?;
    Ok(TokenPair {
        access_token: state
            .keys
            .issue(user.id, &session_id, at, cfg.access_ttl_secs)?,
        refresh_token: new_token,
        expires_in: cfg.access_ttl_secs,
        refresh_expires_in: cfg.refresh_ttl_secs,
        token_type: "Bearer",
        user: SessionUser {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role,
            scope_unit: user.scope_unit,
        },
    })
}

/// Ends the caller's device session (every token it holds stops working).
pub async fn logout(state: Sessions<'_>, principal: &Principal) -> Result<()> {
    state
        .store
        .revoke_session(&principal.session_id, "logged out", false, now())
        .await?;
    Ok(())
}

pub(super) fn validate_device_id(device_id: &str) -> Result<()> {
    let ok = !device_id.is_empty()
        && device_id.len() <= 128
        && device_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::bad_request(
            "device_id must be 1–128 characters of letters, digits, '-', '_', '.' or ':' (e.g. a UUID made once per phone)",
        ))
    }
}
