//! SQL for the team lead's weekly approval of a village's work.

use sqlx::FromRow;

use super::{Store, StoreError};

/// A village under an area with its approval for one week (absent fields: not approved).
#[derive(Debug, Clone, FromRow)]
pub struct ApprovalRow {
    pub village_code: String,
    pub village_name: String,
    pub village_path: String,
    pub approved_by: Option<i64>,
    pub approved_by_name: Option<String>,
    pub approved_at: Option<i64>,
    /// The document's heads when approved.
    pub approved_heads: Option<String>,
    /// The document's heads now (empty when the village has no document yet).
    pub heads: Option<String>,
}

impl Store {
    /// Approves (or approves again) a village's week at the document's current heads.
    pub async fn approve_village(
        &self,
        village_code: &str,
        week: &str,
        heads: &str,
        by: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO village_approvals (village_code, week, heads, approved_by, approved_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (village_code, week) DO UPDATE SET
                heads = excluded.heads, approved_by = excluded.approved_by,
                approved_at = excluded.approved_at",
        )
        .bind(village_code)
        .bind(week)
        .bind(heads)
        .bind(by)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Every active village under `path` with its approval of `week`, in tree order.
    pub async fn approvals_under(
        &self,
        path: &str,
        week: &str,
    ) -> Result<Vec<ApprovalRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT v.code AS village_code, v.name AS village_name, v.path AS village_path,
                a.approved_by, u.display_name AS approved_by_name, a.approved_at,
                a.heads AS approved_heads, d.heads
             FROM units v
             LEFT JOIN village_approvals a ON a.village_code = v.code AND a.week = $2
             LEFT JOIN users u ON u.id = a.approved_by
             LEFT JOIN village_documents d ON d.unit_code = v.code
             WHERE v.level = 'village' AND v.status = 'active'
               AND substr(v.path, 1, length($1)) = $1
             ORDER BY v.path",
        )
        .bind(path)
        .bind(week)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
