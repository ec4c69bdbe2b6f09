//! SQL reads of projected households and their audit trail.

use sqlx::FromRow;

use super::{Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub device_id: Option<String>,
    pub actors: String,
    pub fields: String,
    pub at: i64,
}

impl Store {
    /// The village code and unit path of a projected household.
    pub async fn household_village(
        &self,
        id: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query_as(
            "SELECT h.village_code, u.path FROM households h JOIN units u ON u.code = h.village_code WHERE h.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    pub async fn household_audit(&self, id: &str) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT user_id, username, device_id, actors, fields, at FROM household_audit WHERE household_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

impl Store {
    /// (visitor, visit time in ms) of every visited live household under `path`.
    pub async fn visits_under(
        &self,
        path: &str,
    ) -> Result<Vec<(Option<String>, Option<i64>)>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT h.visited_by, h.visited_at FROM households h JOIN units v ON v.code = h.village_code
             WHERE substr(v.path, 1, length($1)) = $1 AND h.deleted = 0 AND h.duplicate_of IS NULL
               AND h.visit_outcome IS NOT NULL",
        )
        .bind(path)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
