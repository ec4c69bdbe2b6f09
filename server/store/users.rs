//! SQL for user accounts.

use sqlx::FromRow;

use super::{conflict_or, AccessChange, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub password_hash: String,
    pub role: String,
    pub scope_unit: Option<String>,
    /// Path of the scope unit ('/' for a user scoped to the whole tree).
    pub scope_path: String,
    /// 1 when the account is disabled (flags are integers so both backends read them alike).
    pub disabled: i64,
    /// Unix seconds until which sign-in is refused after too many wrong passwords.
    pub locked_until: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub phone: Option<&'a str>,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub scope_unit: Option<&'a str>,
}

/// Fields of a user that can change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub phone: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<String>,
    pub scope_unit: Option<String>,
    pub disabled: Option<bool>,
}

const USER_SELECT: &str =
    "SELECT u.id, u.username, u.display_name, u.phone, u.password_hash, u.role,
        u.scope_unit, COALESCE(s.path, '/') AS scope_path, u.disabled, u.locked_until, u.created_at, u.updated_at
     FROM users u LEFT JOIN units s ON s.code = u.scope_unit";

impl Store {
    pub async fn insert_user(&self, user: &NewUser<'_>, now: i64) -> Result<i64, StoreError> {
        let id = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, phone, password_hash, role, scope_unit, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(user.username)
        .bind(user.display_name)
        .bind(user.phone)
        .bind(user.password_hash)
        .bind(user.role)
        .bind(user.scope_unit)
        .bind(now)
        .fetch_one(&self.writer)
        .await
        .map_err(|e| conflict_or(e, || format!("username '{}' is already taken", user.username)))?;
        Ok(id)
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query_as(&format!("{USER_SELECT} WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query_as(&format!("{USER_SELECT} WHERE u.username = $1"))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row)
    }

    /// Users whose scope unit lies under `under_path` (every user when it is '/').
    pub async fn users_under(
        &self,
        under_path: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "{USER_SELECT} WHERE substr(COALESCE(s.path, '/'), 1, length($1)) = $1
             ORDER BY u.username LIMIT $2 OFFSET $3"
        ))
        .bind(under_path)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub async fn update_user(
        &self,
        id: i64,
        update: &UserUpdate,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE users SET
                display_name  = COALESCE($1, display_name),
                phone         = COALESCE($2, phone),
                password_hash = COALESCE($3, password_hash),
                role          = COALESCE($4, role),
                scope_unit    = COALESCE($5, scope_unit),
                disabled      = COALESCE($6, disabled),
                updated_at    = $7
             WHERE id = $8",
        )
        .bind(update.display_name.as_deref())
        .bind(update.phone.as_deref())
        .bind(update.password_hash.as_deref())
        .bind(update.role.as_deref())
        .bind(update.scope_unit.as_deref())
        .bind(update.disabled.map(i64::from))
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?;
        self.announce_access_change(AccessChange::User(id)).await;
        Ok(())
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        let n = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}
