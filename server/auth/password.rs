//! Argon2id password hashing, run on the blocking pool so a login never stalls the async workers.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::error::{Error, Result};

pub const MIN_PASSWORD_LEN: usize = 8;

/// Each Argon2 run takes 19 MiB and a core for a while: at most one per core at a time, so a
/// crowd signing in at once queues instead of taking gigabytes (200 phones at once peaked the
/// server at 3.5 GiB before this limit).
async fn hashing_slot() -> Result<tokio::sync::SemaphorePermit<'static>> {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        tokio::sync::Semaphore::new(cores.clamp(1, 8))
    });
    slots
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("password hashing closed: {e}")))
}

pub async fn hash_password(password: String) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::bad_request(format!(
            "password too short: use at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    let slot = hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        // Held by the work itself: a caller that gives up does not free the slot early.
        let _slot = slot;
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("hashing password: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("hashing task failed: {e}")))?
}

/// Checks `password` against a stored hash; `None` still spends the time of a real check so
/// response times do not reveal which usernames exist.
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool> {
    let slot = hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let stored = match stored {
            Some(s) => s,
            None => dummy_hash()?.to_string(),
        };
        let hash = PasswordHash::new(&stored)
            .map_err(|e| Error::Internal(format!("stored password hash unreadable: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok())
    })
    .await
    .map_err(|e| Error::Internal(format!("password check failed: {e}")))?
}

/// Hash of a random password nobody knows, made once, to verify against for unknown users.
fn dummy_hash() -> Result<&'static str> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h);
    }
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(salt.as_str().as_bytes(), &salt)
        .map_err(|e| Error::Internal(format!("hashing password: {e}")))?
        .to_string();
    Ok(DUMMY.get_or_init(|| hash))
}
