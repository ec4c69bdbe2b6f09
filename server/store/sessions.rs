//! SQL for device sessions and their rotating refresh tokens.

use sqlx::FromRow;

use super::{AccessChange, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: String,
    pub user_id: i64,
    pub device_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
    /// 1 when revoked as a lost phone or a disabled account: the phone deletes its data.
    pub wipe: i64,
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was valid; it is now used and the new one replaces it.
    Rotated {
        session_id: String,
        user_id: i64,
    },
    /// The token had already been used: someone holds a copy, so the whole session was revoked.
    Reused,
    Expired,
    /// The session was revoked; `wipe` when as a lost phone (the phone deletes its data).
    Revoked {
        wipe: bool,
    },
    Unknown,
}

/// A refresh token with the state of its session.
#[derive(FromRow)]
struct TokenState {
    session_id: String,
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
    wipe: i64,
    user_id: i64,
}

const SESSION_COLUMNS: &str =
    "id, user_id, device_id, created_at, last_seen_at, expires_at, revoked_at, revoked_reason, wipe";

impl Store {
    /// Opens a session for (user, device) with its first refresh token. A previous live session
    /// of the same user on the same device is revoked: one device, one session.
    pub async fn create_session(
        &self,
        session_id: &str,
        user_id: i64,
        device_id: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE device_sessions SET revoked_at = $1, revoked_reason = 'replaced by a new login'
             WHERE user_id = $2 AND device_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(device_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO device_sessions (id, user_id, device_id, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(session_id)
        .bind(user_id)
        .bind(device_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(session_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Exchanges a refresh token for `new_hash`, atomically. A token used again more than
    /// `grace_secs` after its first use means a copy exists, and revokes the whole session; inside
    /// the grace (a phone whose first answer was lost on a bad network) the answer is the same
    /// successor as the first time: `new_hash` is derived from the old token, so it is already
    /// stored, and no second token is issued. One session, one chain.
    pub async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        now: i64,
        new_expires_at: i64,
        grace_secs: i64,
    ) -> Result<RefreshOutcome, StoreError> {
        let mut tx = self.writer.begin().await?;
        let claimed = sqlx::query(
            "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(old_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let found: Option<TokenState> = sqlx::query_as(
            "SELECT t.session_id, t.expires_at, t.used_at, s.revoked_at, s.wipe, s.user_id
             FROM refresh_tokens t JOIN device_sessions s ON s.id = t.session_id
             WHERE t.token_hash = $1",
        )
        .bind(old_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(TokenState {
            session_id,
            expires_at,
            used_at,
            revoked_at,
            wipe,
            user_id,
        }) = found
        else {
            return Ok(RefreshOutcome::Unknown);
        };
        if revoked_at.is_some() {
            tx.commit().await?;
            return Ok(RefreshOutcome::Revoked { wipe: wipe != 0 });
        }
        let first_use = used_at.unwrap_or(now);
        if claimed == 0 && now - first_use >= grace_secs {
            sqlx::query(
                "UPDATE device_sessions SET revoked_at = $1, revoked_reason = 'refresh token reused'
                 WHERE id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(&session_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(RefreshOutcome::Reused);
        }
        if expires_at <= now {
            tx.commit().await?;
            return Ok(RefreshOutcome::Expired);
        }
        if claimed == 0 {
            // A retry within the grace: the successor issued the first time is the answer.
            let successor: Option<(String,)> =
                sqlx::query_as("SELECT session_id FROM refresh_tokens WHERE token_hash = $1")
                    .bind(new_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
            tx.commit().await?;
            return Ok(match successor {
                Some((s,)) if s == session_id => RefreshOutcome::Rotated {
                    session_id,
                    user_id,
                },
                // Not this token's successor (issued before successors were derived, or under
                // another secret): refuse rather than start a second chain.
                _ => RefreshOutcome::Unknown,
            });
        }
        sqlx::query("INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(new_hash)
            .bind(&session_id)
            .bind(now)
            .bind(new_expires_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE device_sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
            .bind(now)
            .bind(new_expires_at)
            .bind(&session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(RefreshOutcome::Rotated {
            session_id,
            user_id,
        })
    }

    pub async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM device_sessions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    pub async fn sessions_of(&self, user_id: i64) -> Result<Vec<SessionRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM device_sessions WHERE user_id = $1 ORDER BY created_at DESC"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Revokes one session; returns whether it was live. With `wipe` the phone is told to
    /// delete its data at its next contact (a lost phone).
    pub async fn revoke_session(
        &self,
        id: &str,
        reason: &str,
        wipe: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        let user: Option<i64> = sqlx::query_scalar(
            "UPDATE device_sessions SET revoked_at = $1, revoked_reason = $2, wipe = $3
             WHERE id = $4 AND revoked_at IS NULL
             RETURNING user_id",
        )
        .bind(now)
        .bind(reason)
        .bind(i64::from(wipe))
        .bind(id)
        .fetch_optional(&self.writer)
        .await?;
        if let Some(user) = user {
            self.announce_access_change(AccessChange::User(user)).await;
        }
        Ok(user.is_some())
    }

    /// Revokes every live session of a user (disabled account, password reset, all phones
    /// lost); `wipe` as in `revoke_session`.
    pub async fn revoke_user_sessions(
        &self,
        user_id: i64,
        reason: &str,
        wipe: bool,
        now: i64,
    ) -> Result<u64, StoreError> {
        let n = sqlx::query(
            "UPDATE device_sessions SET revoked_at = $1, revoked_reason = $2, wipe = $3
             WHERE user_id = $4 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(i64::from(wipe))
        .bind(user_id)
        .execute(&self.writer)
        .await?
        .rows_affected();
        if n > 0 {
            self.announce_access_change(AccessChange::User(user_id))
                .await;
        }
        Ok(n)
    }
}
