//! SQL for one-time sign-in codes (stored as hashes).

use super::{Store, StoreError};

impl Store {
    /// Stores a new code for `user_id`; any code of theirs not yet used stops working.
    pub async fn replace_sign_in_code(
        &self,
        user_id: i64,
        created_by: i64,
        code_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM sign_in_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_in_codes (code_hash, user_id, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(code_hash)
        .bind(user_id)
        .bind(created_by)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses a code: the user it was made for, when it was unused and unexpired (one statement,
    /// so two phones presenting the same code cannot both get in).
    pub async fn redeem_sign_in_code(
        &self,
        code_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let user = sqlx::query_scalar(
            "UPDATE sign_in_codes SET used_at = $1
             WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1
             RETURNING user_id",
        )
        .bind(now)
        .bind(code_hash)
        .fetch_optional(&self.writer)
        .await?;
        Ok(user)
    }
}
