//! SQL for assignments of villages (or households within one) to team members, and the
//! household counts that measure their progress.

use sqlx::FromRow;

use super::{AccessChange, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub village_code: String,
    pub village_name: String,
    pub village_path: String,
    pub assignee_id: i64,
    pub assignee_username: String,
    pub assignee_name: String,
    pub assigned_by: i64,
    /// JSON array of household ids, or NULL for the whole village.
    pub household_ids: Option<String>,
    pub due_date: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewAssignment<'a> {
    pub village_code: &'a str,
    pub assignee_id: i64,
    pub assigned_by: i64,
    pub household_ids: Option<&'a str>,
    pub due_date: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// One household's visit state (`visited` is 0 or 1), for progress counts.
#[derive(Debug, Clone, FromRow)]
pub struct ProgressRow {
    pub id: String,
    pub visited: i64,
}

const ASSIGNMENT_SELECT: &str =
    "SELECT a.id, a.village_code, v.name AS village_name, v.path AS village_path,
        a.assignee_id, u.username AS assignee_username, u.display_name AS assignee_name, a.assigned_by, a.household_ids, a.due_date,
        a.note, a.created_at, a.updated_at
     FROM assignments a
     JOIN units v ON v.code = a.village_code
     JOIN users u ON u.id = a.assignee_id";

/// Inserts an assignment with `executor` (the writer pool, or a transaction doing more); the
/// caller announces the access change after commit.
pub(super) async fn insert_assignment_on<'e, E>(
    executor: E,
    a: &NewAssignment<'_>,
    now: i64,
) -> Result<i64, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let id = sqlx::query_scalar(
        "INSERT INTO assignments (village_code, assignee_id, assigned_by, household_ids, due_date, note, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(a.village_code)
    .bind(a.assignee_id)
    .bind(a.assigned_by)
    .bind(a.household_ids)
    .bind(a.due_date)
    .bind(a.note)
    .bind(now)
    .fetch_one(executor)
    .await?;
    Ok(id)
}

impl Store {
    pub async fn insert_assignment(
        &self,
        a: &NewAssignment<'_>,
        now: i64,
    ) -> Result<i64, StoreError> {
        let id = insert_assignment_on(&self.writer, a, now).await?;
        self.announce_access_change(AccessChange::User(a.assignee_id))
            .await;
        Ok(id)
    }

    pub async fn assignment(&self, id: i64) -> Result<Option<AssignmentRow>, StoreError> {
        let row = sqlx::query_as(&format!("{ASSIGNMENT_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row)
    }

    /// Assignments whose village lies under `under_path`, optionally of one assignee.
    pub async fn assignments(
        &self,
        under_path: &str,
        assignee: Option<i64>,
    ) -> Result<Vec<AssignmentRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "{ASSIGNMENT_SELECT}
             WHERE substr(v.path, 1, length($1)) = $1 AND (CAST($2 AS BIGINT) IS NULL OR a.assignee_id = $2)
             ORDER BY v.path, a.id"
        ))
        .bind(under_path)
        .bind(assignee)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub async fn update_assignment(
        &self,
        id: i64,
        due_date: Option<&str>,
        note: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE assignments SET due_date = COALESCE($1, due_date), note = COALESCE($2, note), updated_at = $3
             WHERE id = $4",
        )
        .bind(due_date)
        .bind(note)
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn delete_assignment(&self, id: i64) -> Result<(), StoreError> {
        let assignee: Option<i64> =
            sqlx::query_scalar("DELETE FROM assignments WHERE id = $1 RETURNING assignee_id")
                .bind(id)
                .fetch_optional(&self.writer)
                .await?;
        if let Some(user) = assignee {
            self.announce_access_change(AccessChange::User(user)).await;
        }
        Ok(())
    }

    /// Visit state of every live household of a village (from the projection).
    pub async fn village_progress(&self, village: &str) -> Result<Vec<ProgressRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, CASE WHEN visit_outcome IS NULL THEN 0 ELSE 1 END AS visited FROM households
             WHERE village_code = $1 AND deleted = 0",
        )
        .bind(village)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
