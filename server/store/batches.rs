//! The per-household audit as stored batches: one `doc_batches` row per batch (the document's
//! heads before and after it, who sent it) and a (household, batch) pair per household it
//! touched. The values themselves are read back from the document (`households::audit`).

use sqlx::FromRow;

use super::documents::DocWrite;
use super::{Store, StoreError};

/// Who sent a batch (absent for server-side edits): its attribution and audit entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchSender<'a> {
    pub user_id: Option<i64>,
    pub username: Option<&'a str>,
    pub device_id: Option<&'a str>,
}

/// A stored batch that touched a household.
#[derive(Debug, Clone, FromRow)]
pub struct BatchRow {
    pub document_id: String,
    /// Sorted hex change hashes, comma-separated, as `village_documents.heads`.
    pub heads_before: String,
    pub heads_after: String,
    pub actors: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub device_id: Option<String>,
    pub at: i64,
}

impl DocWrite {
    /// Records a batch between two heads of the document and the households it touched.
    pub async fn record_batch(
        &mut self,
        heads: (&str, &str),
        actors: &str,
        by: BatchSender<'_>,
        households: &[&str],
        now: i64,
    ) -> Result<(), StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO doc_batches (document_id, heads_before, heads_after, actors, user_id, username, device_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&self.document_id)
        .bind(heads.0)
        .bind(heads.1)
        .bind(actors)
        .bind(by.user_id)
        .bind(by.username)
        .bind(by.device_id)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?;
        for part in households.chunks(400) {
            let rows: Vec<String> = (0..part.len())
                .map(|i| {
                    format!(
                        "({}, {})",
                        self.backend.param(i * 2 + 1),
                        self.backend.param(i * 2 + 2)
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO household_batches (household_id, batch_id) VALUES {} ON CONFLICT DO NOTHING",
                rows.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for h in part {
                q = q.bind(*h).bind(id);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}

impl Store {
    /// The stored batches that touched a household, oldest first.
    pub async fn household_batches(&self, household_id: &str) -> Result<Vec<BatchRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT b.document_id, b.heads_before, b.heads_after, b.actors, b.user_id, b.username,
                u.display_name, b.device_id, b.at
             FROM household_batches hb JOIN doc_batches b ON b.id = hb.batch_id
             LEFT JOIN users u ON u.id = b.user_id
             WHERE hb.household_id = $1 ORDER BY b.id",
        )
        .bind(household_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
