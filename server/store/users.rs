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
    /// 1 for an account that is not a person (never a team member).
    pub service: i64,
    /// 0 while nobody knows the password (the member signs in with a one-time code).
    pub password_set: i64,
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
    /// False when `password_hash` hashes a random password nobody was told.
    pub password_set: bool,
    pub service: bool,
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

pub(super) const USER_SELECT: &str =
    "SELECT u.id, u.username, u.display_name, u.phone, u.password_hash, u.role,
        u.scope_unit, COALESCE(s.path, '/') AS scope_path, u.disabled, u.locked_until, u.service, u.password_set, u.created_at, u.updated_at
     FROM users u LEFT JOIN units s ON s.code = u.scope_unit";

/// Inserts a user with `executor` (the writer pool, or a transaction doing more).
pub(super) async fn insert_user_on<'e, E>(
    executor: E,
    user: &NewUser<'_>,
    now: i64,
) -> Result<i64, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "INSERT INTO users (username, display_name, phone, password_hash, role, scope_unit, password_set, service, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(user.username)
    .bind(user.display_name)
    .bind(user.phone)
    .bind(user.password_hash)
    .bind(user.role)
    .bind(user.scope_unit)
    .bind(i64::from(user.password_set))
    .bind(i64::from(user.service))
    .bind(now)
    .fetch_one(executor)
    .await
    .map_err(|e| conflict_or(e, || format!("username '{}' is already taken", user.username)))
}

impl Store {
    pub async fn insert_user(&self, user: &NewUser<'_>, now: i64) -> Result<i64, StoreError> {
        insert_user_on(&self.writer, user, now).await
    }

    /// Usernames that start with `prefix` (to propose one that is free).
    pub async fn usernames_starting(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query_scalar(
            "SELECT username FROM users WHERE substr(username, 1, length($1)) = $1",
        )
        .bind(prefix)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
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
                password_set  = CASE WHEN $3 IS NULL THEN password_set ELSE 1 END,
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
