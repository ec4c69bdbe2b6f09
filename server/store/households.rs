//! SQL reads of projected households and their audit trail.

use sqlx::FromRow;

use super::{Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub device_id: Option<String>,
    pub actors: String,
    pub fields: String,
    /// JSON `{"field": [old, new]}` (absent on entries stored before values were kept).
    pub changes: Option<String>,
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
            "SELECT a.user_id, a.username, u.display_name, a.device_id, a.actors, a.fields, a.changes, a.at
             FROM household_audit a LEFT JOIN users u ON u.id = a.user_id
             WHERE a.household_id = $1 ORDER BY a.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

impl Store {
    /// (visitor's username, their display name, visit time in ms) of every visited live
    /// household under `path`.
    #[allow(clippy::type_complexity)]
    pub async fn visits_under(
        &self,
        path: &str,
    ) -> Result<Vec<(Option<String>, Option<String>, Option<i64>)>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT h.visited_by, u.display_name, h.visited_at FROM households h
             JOIN units v ON v.code = h.village_code
             LEFT JOIN users u ON u.username = h.visited_by
             WHERE substr(v.path, 1, length($1)) = $1 AND h.deleted = 0 AND h.duplicate_of IS NULL
               AND h.visit_outcome IS NOT NULL",
        )
        .bind(path)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

/// A record the projection could not read as the schema says (household `*`: the document).
#[derive(Debug, Clone, FromRow)]
pub struct ProjectionErrorRow {
    pub village_code: String,
    pub household_id: String,
    pub message: String,
    pub at: i64,
}

impl Store {
    /// Projection errors of the village documents under `under_path`, newest first.
    pub async fn projection_errors_under(
        &self,
        under_path: &str,
        limit: i64,
    ) -> Result<Vec<ProjectionErrorRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT d.unit_code AS village_code, e.household_id, e.message, e.at
             FROM projection_errors e
             JOIN village_documents d ON d.document_id = e.document_id
             JOIN units u ON u.code = d.unit_code
             WHERE substr(u.path, 1, length($1)) = $1
             ORDER BY e.at DESC, e.household_id LIMIT $2",
        )
        .bind(under_path)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
