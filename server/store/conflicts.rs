//! SQL for concurrent edits of one field: recorded (or refreshed) as the change that shows them
//! is stored, settled when the field is written again; read by the team lead.

use sqlx::FromRow;

use super::{DocWrite, Store, StoreError};

/// An open or settled conflict, with the village and the household's head for display.
#[derive(Debug, Clone, FromRow)]
pub struct ConflictRow {
    pub id: i64,
    pub document_id: String,
    pub village_code: String,
    pub village_name: String,
    pub household_id: String,
    pub head_name: Option<String>,
    pub field: String,
    /// JSON array of `{"value", "actor", "at"}`, the winner last.
    pub candidates: String,
    pub detected_at: i64,
    pub settled_at: Option<i64>,
    pub settled_by: Option<i64>,
    pub settled_value: Option<String>,
}

/// Who wrote with an Automerge actor: the user and phone that first uploaded it.
#[derive(Debug, Clone, FromRow)]
pub struct ActorOwner {
    pub actor: String,
    pub user_id: i64,
    pub display_name: String,
    pub device_id: String,
}

impl DocWrite {
    /// The fields of this document with an open conflict: (household, field).
    pub async fn open_conflicts(&mut self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT household_id, field FROM field_conflicts
             WHERE document_id = $1 AND settled_at IS NULL",
        )
        .bind(&self.document_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows)
    }

    /// Records a conflict on a field, or refreshes its values when it is already open.
    pub async fn record_conflict(
        &mut self,
        village_code: &str,
        household_id: &str,
        field: &str,
        candidates: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO field_conflicts (document_id, village_code, household_id, field, candidates, detected_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (document_id, household_id, field) WHERE settled_at IS NULL
             DO UPDATE SET candidates = excluded.candidates",
        )
        .bind(&self.document_id)
        .bind(village_code)
        .bind(household_id)
        .bind(field)
        .bind(candidates)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Settles the open conflict on a field that was written again with one value.
    pub async fn settle_conflict(
        &mut self,
        household_id: &str,
        field: &str,
        by: Option<i64>,
        value: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE field_conflicts SET settled_at = $1, settled_by = $2, settled_value = $3
             WHERE document_id = $4 AND household_id = $5 AND field = $6 AND settled_at IS NULL",
        )
        .bind(now)
        .bind(by)
        .bind(value)
        .bind(&self.document_id)
        .bind(household_id)
        .bind(field)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Conflicts in villages under `path`, newest first; only open ones unless `settled`.
    pub async fn conflicts_under(
        &self,
        path: &str,
        settled: bool,
        limit: i64,
    ) -> Result<Vec<ConflictRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT c.id, c.document_id, c.village_code, v.name AS village_name, c.household_id,
                h.head_name, c.field, c.candidates, c.detected_at, c.settled_at, c.settled_by,
                c.settled_value
             FROM field_conflicts c
             JOIN units v ON v.code = c.village_code
             LEFT JOIN households h ON h.id = c.household_id
             WHERE substr(v.path, 1, length($1)) = $1
               AND (c.settled_at IS NULL OR $2 = 1)
             ORDER BY c.detected_at DESC, c.id DESC
             LIMIT $3",
        )
        .bind(path)
        .bind(i64::from(settled))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// The owners of some Automerge actors (those never uploaded by a phone are absent).
    pub async fn actor_owners(&self, actors: &[String]) -> Result<Vec<ActorOwner>, StoreError> {
        if actors.is_empty() {
            return Ok(Vec::new());
        }
        let list = (1..=actors.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT b.actor, b.user_id, u.display_name, b.device_id
             FROM actor_bindings b JOIN users u ON u.id = b.user_id
             WHERE b.actor IN ({list})"
        );
        let mut query = sqlx::query_as(&sql);
        for actor in actors {
            query = query.bind(actor);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }
}
