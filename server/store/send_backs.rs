//! SQL for records a team lead sends back to the member ("cần sửa"): open until the record is
//! changed by someone else (fixed, in the write transaction of that change) or withdrawn.

use sqlx::FromRow;

use super::{DocWrite, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct SendBackRow {
    pub id: i64,
    pub document_id: String,
    pub village_code: String,
    pub village_name: String,
    pub village_path: String,
    pub household_id: String,
    pub head_name: Option<String>,
    pub person_id: Option<String>,
    pub comment: String,
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: i64,
    pub cleared_at: Option<i64>,
    pub cleared_by: Option<i64>,
    pub cleared_reason: Option<String>,
}

/// A send-back about to be stored.
#[derive(Debug, Clone)]
pub struct NewSendBack<'a> {
    pub document_id: &'a str,
    pub village_code: &'a str,
    pub household_id: &'a str,
    pub person_id: Option<&'a str>,
    pub comment: &'a str,
    pub created_by: i64,
}

/// An open send-back as the commit step sees it: which record, and who sent it.
#[derive(Debug, Clone, FromRow)]
pub struct OpenSendBack {
    pub id: i64,
    pub household_id: String,
    pub person_id: Option<String>,
    pub created_by: i64,
}

const SEND_BACK_SELECT: &str = "SELECT s.id, s.document_id, s.village_code, v.name AS village_name,
        v.path AS village_path, s.household_id, h.head_name, s.person_id, s.comment, s.created_by,
        u.display_name AS created_by_name, s.created_at, s.cleared_at, s.cleared_by,
        s.cleared_reason
     FROM send_backs s
     JOIN units v ON v.code = s.village_code
     JOIN users u ON u.id = s.created_by
     LEFT JOIN households h ON h.id = s.household_id";

/// Where a projected household lives: its village, that village's path, its document.
#[derive(Debug, Clone, FromRow)]
pub struct HouseholdPlace {
    pub village_code: String,
    pub village_path: String,
    pub document_id: String,
}

impl Store {
    pub async fn household_place(&self, id: &str) -> Result<Option<HouseholdPlace>, StoreError> {
        let row = sqlx::query_as(
            "SELECT h.village_code, v.path AS village_path, h.document_id
             FROM households h JOIN units v ON v.code = h.village_code WHERE h.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    /// Whether a person is projected in that household.
    pub async fn person_in_household(
        &self,
        person_id: &str,
        household_id: &str,
    ) -> Result<bool, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM persons WHERE id = $1 AND household_id = $2")
                .bind(person_id)
                .bind(household_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(n > 0)
    }

    pub async fn insert_send_back(&self, s: &NewSendBack<'_>, now: i64) -> Result<i64, StoreError> {
        let id = sqlx::query_scalar(
            "INSERT INTO send_backs (document_id, village_code, household_id, person_id, comment, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(s.document_id)
        .bind(s.village_code)
        .bind(s.household_id)
        .bind(s.person_id)
        .bind(s.comment)
        .bind(s.created_by)
        .bind(now)
        .fetch_one(&self.writer)
        .await?;
        Ok(id)
    }

    pub async fn send_back(&self, id: i64) -> Result<Option<SendBackRow>, StoreError> {
        let row = sqlx::query_as(&format!("{SEND_BACK_SELECT} WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row)
    }

    /// Withdraws an open send-back; false when it was already cleared.
    pub async fn withdraw_send_back(&self, id: i64, by: i64, now: i64) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "UPDATE send_backs SET cleared_at = $1, cleared_by = $2, cleared_reason = 'withdrawn'
             WHERE id = $3 AND cleared_at IS NULL",
        )
        .bind(now)
        .bind(by)
        .bind(id)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// Send-backs in villages under `path`, newest first; only open ones unless `cleared`.
    pub async fn send_backs_under(
        &self,
        path: &str,
        cleared: bool,
        limit: i64,
    ) -> Result<Vec<SendBackRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "{SEND_BACK_SELECT}
             WHERE substr(v.path, 1, length($1)) = $1 AND (s.cleared_at IS NULL OR $2 = 1)
             ORDER BY s.created_at DESC, s.id DESC LIMIT $3"
        ))
        .bind(path)
        .bind(i64::from(cleared))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Open send-backs in the villages assigned to a member.
    pub async fn send_backs_of_assignee(
        &self,
        user_id: i64,
    ) -> Result<Vec<SendBackRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "{SEND_BACK_SELECT}
             WHERE s.cleared_at IS NULL
               AND s.village_code IN (SELECT village_code FROM assignments WHERE assignee_id = $1)
             ORDER BY s.created_at DESC, s.id DESC"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

impl DocWrite {
    /// The open send-backs of this document.
    pub async fn open_send_backs(&mut self) -> Result<Vec<OpenSendBack>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, household_id, person_id, created_by FROM send_backs
             WHERE document_id = $1 AND cleared_at IS NULL",
        )
        .bind(&self.document_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows)
    }

    /// Marks send-backs fixed by the change being stored.
    pub async fn clear_send_backs(
        &mut self,
        ids: &[i64],
        by: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let list = (4..4 + ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE send_backs SET cleared_at = $1, cleared_by = $2, cleared_reason = $3
             WHERE cleared_at IS NULL AND id IN ({list})"
        );
        let mut query = sqlx::query(&sql).bind(now).bind(by).bind("fixed");
        for id in ids {
            query = query.bind(*id);
        }
        query.execute(&mut *self.tx).await?;
        Ok(())
    }
}
