//! One-time sign-in codes: a lead shows one (as text or a QR code) and the member's phone
//! signs in with it, without anyone typing a password. Short-lived, single-use, bound to the
//! member; the phone then holds a normal device session.

use std::net::IpAddr;

use rand::Rng;
use sha2::{Digest, Sha256};

use crate::auth::session::{open_session, validate_device_id, Sessions, TokenPair};
use crate::clock::now;
use crate::error::{Error, Result};

/// How long a code works.
pub const SIGN_IN_CODE_TTL_SECS: i64 = 600;
/// Letters and digits that cannot be mistaken for one another when read aloud or off a screen.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 8;

const BAD_CODE: &str =
    "this sign-in code is wrong, expired or already used: ask your team lead for a new one";

/// A new code, e.g. `K7MQ2XAB` (shown as `K7MQ-2XAB`).
pub fn new_sign_in_code() -> String {
    let mut rng = rand::thread_rng();
    (0..CODE_LEN)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// The code as typed (any case, with dashes or spaces), or `None` when it cannot be one.
pub fn normalize_sign_in_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// `K7MQ2XAB` → `K7MQ-2XAB`.
pub fn display_sign_in_code(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a}-{b}")
}

/// What is stored: the SHA-256 of the normalized code.
pub fn hash_sign_in_code(code: &str) -> String {
    Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Signs a phone in with a code. Counted against the client's sign-in rate like a password.
pub async fn login_with_code(
    state: Sessions<'_>,
    client: IpAddr,
    typed: &str,
    device_id: &str,
) -> Result<TokenPair> {
    validate_device_id(device_id)?;
    state.check_rate(client)?;
    let code = normalize_sign_in_code(typed).ok_or_else(|| Error::unauthorized(BAD_CODE))?;
    let at = now();
    let user_id = state
        .store
        .redeem_sign_in_code(&hash_sign_in_code(&code), at)
        .await?
        .ok_or_else(|| Error::unauthorized(BAD_CODE))?;
    let user = state
        .store
        .user_by_id(user_id)
        .await?
        .ok_or_else(|| Error::unauthorized(BAD_CODE))?;
    if user.disabled != 0 {
        return Err(Error::forbidden(
            "this account is disabled: ask your team lead or commune officer to re-enable it",
        ));
    }
    // The lead vouched for the member in person: a lock from wrong passwords no longer holds.
    state.store.clear_login_failures(user.id).await?;
    open_session(state, user, device_id, at).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_however_they_are_typed() {
        for _ in 0..100 {
            let code = new_sign_in_code();
            assert_eq!(normalize_sign_in_code(&code).as_deref(), Some(&*code));
            let shown = display_sign_in_code(&code).to_lowercase();
            assert_eq!(normalize_sign_in_code(&shown).as_deref(), Some(&*code));
        }
        assert_eq!(normalize_sign_in_code("K7MQ-2XA"), None);
        assert_eq!(
            normalize_sign_in_code("K7MQ-2XA0"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(
            normalize_sign_in_code("K7MQ-2XAB-"),
            Some("K7MQ2XAB".into())
        );
    }
}
