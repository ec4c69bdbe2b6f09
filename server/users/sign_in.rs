//! What a lead does for a member who cannot sign in: a one-time sign-in code (shown as text and
//! QR code) for a new phone, a new password shown once, and lifting a lock.

use rand::Rng;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{
    display_sign_in_code, hash_password, hash_sign_in_code, new_sign_in_code, Principal,
    SIGN_IN_CODE_TTL_SECS,
};
use crate::clock::{now, rfc3339};
use crate::error::Result;
use crate::store::{Store, UserUpdate};
use crate::users::{get_user, managed_user, User};

/// A one-time sign-in code, to show to the member once.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignInCode {
    /// e.g. `K7MQ-2XAB`; case and dashes do not matter when typed.
    pub code: String,
    pub expires_at: String,
    pub expires_in: i64,
    /// Where the member's phone signs in with it (relative to the server; the QR code holds
    /// the absolute address).
    pub url: String,
}

/// A new password, shown once to the lead who reset it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OneTimePassword {
    pub password: String,
}

/// Makes a code for a member the caller manages; an earlier unused code stops working.
pub async fn issue_sign_in_code(store: &Store, who: &Principal, id: i64) -> Result<SignInCode> {
    managed_user(store, who, id).await?;
    let code = new_sign_in_code();
    let at = now();
    let expires_at = at + SIGN_IN_CODE_TTL_SECS;
    store
        .replace_sign_in_code(id, who.user_id, &hash_sign_in_code(&code), at, expires_at)
        .await?;
    tracing::info!(by = %who.username, user = id, "sign-in code issued");
    Ok(SignInCode {
        url: format!("/#/signin/{code}"),
        code: display_sign_in_code(&code),
        expires_at: rfc3339(expires_at),
        expires_in: SIGN_IN_CODE_TTL_SECS,
    })
}

/// Letters and digits that read unambiguously off a screen.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Gives a member a new random password (lifting any lock). Their phones are signed out but
/// keep their data: they sign in again with the new password.
pub async fn reset_password(store: &Store, who: &Principal, id: i64) -> Result<OneTimePassword> {
    managed_user(store, who, id).await?;
    let password: String = {
        let mut rng = rand::thread_rng();
        (0..10)
            .map(|_| char::from(PASSWORD_ALPHABET[rng.gen_range(0..PASSWORD_ALPHABET.len())]))
            .collect()
    };
    let hash = hash_password(password.clone()).await?;
    let at = now();
    store
        .update_user(
            id,
            &UserUpdate {
                password_hash: Some(hash),
                ..UserUpdate::default()
            },
            at,
        )
        .await?;
    store
        .revoke_user_sessions(id, "password reset", false, at)
        .await?;
    store.clear_login_failures(id).await?;
    tracing::info!(by = %who.username, user = id, "password reset");
    Ok(OneTimePassword { password })
}

/// Lifts the lock after too many wrong passwords (the password stays).
pub async fn unlock(store: &Store, who: &Principal, id: i64) -> Result<User> {
    managed_user(store, who, id).await?;
    store.clear_login_failures(id).await?;
    get_user(store, who, id).await
}
