//! SQL for the commune's weekly reports as submitted.

use sqlx::FromRow;

use super::{conflict_or, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct WeeklyReportRow {
    pub commune_code: String,
    pub commune_name: String,
    pub campaign_id: i64,
    pub week: String,
    pub deadline: i64,
    /// JSON of the report as it was submitted.
    pub content: String,
    pub submitted_by: i64,
    pub submitted_by_name: String,
    pub submitted_at: i64,
}

/// A report being submitted.
#[derive(Debug, Clone)]
pub struct NewWeeklyReport<'a> {
    pub commune_code: &'a str,
    pub campaign_id: i64,
    pub week: &'a str,
    pub deadline: i64,
    pub content: &'a str,
    pub submitted_by: i64,
}

const REPORT_SELECT: &str = "SELECT r.commune_code, c.name AS commune_name, r.campaign_id, r.week,
        r.deadline, r.content, r.submitted_by, u.display_name AS submitted_by_name, r.submitted_at
     FROM weekly_reports r
     JOIN units c ON c.code = r.commune_code
     JOIN users u ON u.id = r.submitted_by";

impl Store {
    /// Stores a submitted report; a second submission of the same week is a conflict.
    pub async fn insert_weekly_report(
        &self,
        r: &NewWeeklyReport<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO weekly_reports (commune_code, campaign_id, week, deadline, content, submitted_by, submitted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(r.commune_code)
        .bind(r.campaign_id)
        .bind(r.week)
        .bind(r.deadline)
        .bind(r.content)
        .bind(r.submitted_by)
        .bind(now)
        .execute(&self.writer)
        .await
        .map_err(|e| {
            conflict_or(e, || {
                format!(
                    "the report of the week of {} was already submitted: it stays as it was sent",
                    r.week
                )
            })
        })?;
        Ok(())
    }

    pub async fn weekly_report(
        &self,
        commune_code: &str,
        campaign_id: i64,
        week: &str,
    ) -> Result<Option<WeeklyReportRow>, StoreError> {
        let row = sqlx::query_as(&format!(
            "{REPORT_SELECT} WHERE r.commune_code = $1 AND r.campaign_id = $2 AND r.week = $3"
        ))
        .bind(commune_code)
        .bind(campaign_id)
        .bind(week)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    /// Submitted reports of communes under `path` for a campaign, weeks `from`..=`to`.
    pub async fn weekly_reports_under(
        &self,
        path: &str,
        campaign_id: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<WeeklyReportRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "{REPORT_SELECT}
             WHERE substr(c.path, 1, length($1)) = $1 AND r.campaign_id = $2
               AND r.week >= $3 AND r.week <= $4
             ORDER BY c.path, r.week"
        ))
        .bind(path)
        .bind(campaign_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// What visits helped with in live households under `path` (`households.helped` JSON).
    pub async fn helped_under(&self, path: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query_scalar(
            "SELECT h.helped FROM households h JOIN units v ON v.code = h.village_code
             WHERE substr(v.path, 1, length($1)) = $1 AND h.deleted = 0
               AND h.duplicate_of IS NULL AND h.helped IS NOT NULL",
        )
        .bind(path)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Open conflicts and open send-backs under `path` (counts for the weekly report).
    pub async fn open_review_counts(&self, path: &str) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query_as(
            "SELECT
                (SELECT COUNT(*) FROM field_conflicts f JOIN units v ON v.code = f.village_code
                 WHERE f.settled_at IS NULL AND substr(v.path, 1, length($1)) = $1),
                (SELECT COUNT(*) FROM send_backs s JOIN units v ON v.code = s.village_code
                 WHERE s.cleared_at IS NULL AND substr(v.path, 1, length($1)) = $1)",
        )
        .bind(path)
        .fetch_one(&self.pool)
        .await?;
        Ok(row)
    }
}
