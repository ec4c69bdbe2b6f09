//! SQL for login lockout and the access log of person-level reads.

use sqlx::FromRow;

use super::{Store, StoreError};

/// One read of person-level data by an official.
#[derive(Debug, Clone, FromRow)]
pub struct AccessLogRow {
    pub id: i64,
    pub at: i64,
    pub user_id: i64,
    pub username: String,
    /// The reader's display name (null for an account since removed).
    pub display_name: Option<String>,
    pub role: String,
    pub device_id: String,
    pub unit_code: String,
    pub action: String,
    pub detail: String,
}

/// What to append to the access log.
#[derive(Debug, Clone)]
pub struct NewAccess<'a> {
    pub at: i64,
    pub user_id: i64,
    pub username: &'a str,
    pub role: &'a str,
    pub device_id: &'a str,
    pub unit_code: &'a str,
    pub unit_path: &'a str,
    pub action: &'a str,
    pub detail: &'a str,
}

impl Store {
    /// Counts a wrong password; at `limit` consecutive failures the account is locked until
    /// `lock_until` and the count starts again. Returns the lock's end when this failure locked it.
    pub async fn record_login_failure(
        &self,
        user_id: i64,
        limit: i64,
        lock_until: i64,
    ) -> Result<Option<i64>, StoreError> {
        // Every right-hand side reads the row as it was before the update.
        let locked: Option<i64> = sqlx::query_scalar(
            "UPDATE users SET
                failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
                locked_until  = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END
             WHERE id = $1
             RETURNING CASE WHEN failed_logins = 0 THEN locked_until END",
        )
        .bind(user_id)
        .bind(limit)
        .bind(lock_until)
        .fetch_optional(&self.writer)
        .await?
        .flatten();
        Ok(locked)
    }

    /// Forgets wrong passwords and any lock (a good login, or an administrator's reset).
    pub async fn clear_login_failures(&self, user_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL
             WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)",
        )
        .bind(user_id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn log_access(&self, entry: &NewAccess<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO access_log (at, user_id, username, role, device_id, unit_code, unit_path, action, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entry.at)
        .bind(entry.user_id)
        .bind(entry.username)
        .bind(entry.role)
        .bind(entry.device_id)
        .bind(entry.unit_code)
        .bind(entry.unit_path)
        .bind(entry.action)
        .bind(entry.detail)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Newest first: reads of data in units under `under_path` since `since` (unix seconds).
    pub async fn access_log(
        &self,
        under_path: &str,
        since: i64,
        limit: i64,
    ) -> Result<Vec<AccessLogRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT a.id, a.at, a.user_id, a.username, u.display_name, a.role, a.device_id,
                    a.unit_code, a.action, a.detail
             FROM access_log a LEFT JOIN users u ON u.id = a.user_id
             WHERE substr(a.unit_path, 1, length($1)) = $1 AND a.at >= $2
             ORDER BY a.at DESC, a.id DESC LIMIT $3",
        )
        .bind(under_path)
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
