//! SQL for declared indicator values, targets and campaigns.

use sqlx::FromRow;

use super::{Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct DeclaredRow {
    pub id: i64,
    pub unit_code: String,
    pub unit_path: String,
    pub indicator_id: i64,
    pub numerator: i64,
    pub denominator: i64,
    pub value_date: String,
    pub note: Option<String>,
    /// A status instead of numbers (`not_yet`, `none`, `not_started`); numbers are 0 then.
    pub status: Option<String>,
    pub entered_by: String,
    /// The display name of `entered_by` (null for an account since removed).
    pub entered_by_name: Option<String>,
    pub entered_at: i64,
    /// The unit its unit was merged into, if it was (a former commune after a reform).
    pub merged_into: Option<String>,
    pub unit_name: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct TargetRow {
    pub id: i64,
    pub indicator_id: i64,
    pub unit_code: Option<String>,
    pub campaign_id: Option<i64>,
    pub target: f64,
    pub set_by: String,
    pub set_by_name: Option<String>,
    /// The name of `unit_code` (a district reads targets set above its area by name).
    pub unit_name: Option<String>,
    pub set_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub name: String,
    pub baseline_date: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// The weekly report's deadline: weekday (1 Monday … 7 Sunday) and `HH:MM`, Vietnam time.
    pub report_weekday: i64,
    pub report_time: String,
    pub created_at: i64,
}

/// A campaign about to be stored.
#[derive(Debug, Clone)]
pub struct NewCampaignRow<'a> {
    pub name: &'a str,
    pub baseline_date: &'a str,
    pub start_date: Option<&'a str>,
    pub end_date: Option<&'a str>,
    pub report_weekday: i64,
    pub report_time: &'a str,
}

/// The `settings` key holding the campaign an admin or the province marked current. A setting,
/// not a column: there is one current campaign for the whole server, and every replica reads it
/// on each request.
const CURRENT_CAMPAIGN: &str = "current_campaign";

/// A declared value about to be stored.
#[derive(Debug, Clone)]
pub struct NewDeclared<'a> {
    pub unit_code: &'a str,
    pub indicator_id: i64,
    pub numerator: i64,
    pub denominator: i64,
    pub value_date: &'a str,
    pub note: Option<&'a str>,
    pub status: Option<&'a str>,
    pub entered_by: &'a str,
}

const DECLARED_SELECT: &str =
    "SELECT d.id, d.unit_code, u.path AS unit_path, d.indicator_id, d.numerator, d.denominator,
        d.value_date, d.note, d.status, d.entered_by, e.display_name AS entered_by_name, d.entered_at,
        u.merged_into, u.name AS unit_name
     FROM declared_values d JOIN units u ON u.code = d.unit_code
     LEFT JOIN users e ON e.username = d.entered_by";

impl Store {
    pub async fn insert_declared(&self, d: &NewDeclared<'_>, now: i64) -> Result<i64, StoreError> {
        let id = sqlx::query_scalar(
            "INSERT INTO declared_values (unit_code, indicator_id, numerator, denominator, value_date, note, status, entered_by, entered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(d.unit_code)
        .bind(d.indicator_id)
        .bind(d.numerator)
        .bind(d.denominator)
        .bind(d.value_date)
        .bind(d.note)
        .bind(d.status)
        .bind(d.entered_by)
        .bind(now)
        .fetch_one(&self.writer)
        .await?;
        Ok(id)
    }

    /// Every declared value under `path` dated on or before `as_of`, oldest first.
    pub async fn declared_under(
        &self,
        path: &str,
        as_of: &str,
    ) -> Result<Vec<DeclaredRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "{DECLARED_SELECT} WHERE substr(u.path, 1, length($1)) = $1 AND d.value_date <= $2
             ORDER BY d.unit_code, d.indicator_id, d.value_date, d.id"
        ))
        .bind(path)
        .bind(as_of)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Every (former commune, commune it was split into) a reform recorded.
    pub async fn split_successors(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query_as("SELECT former_commune, successor FROM split_successors")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows)
    }

    /// The history of one unit's declarations, and of the units merged into it, newest first.
    pub async fn declared_history(&self, unit: &str) -> Result<Vec<DeclaredRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "{DECLARED_SELECT} WHERE d.unit_code = $1 OR u.merged_into = $1
             ORDER BY d.value_date DESC, d.id DESC"
        ))
        .bind(unit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub async fn targets(&self) -> Result<Vec<TargetRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT t.id, t.indicator_id, t.unit_code, t.campaign_id, t.target, t.set_by,
                    s.display_name AS set_by_name, u.name AS unit_name, t.set_at
             FROM targets t LEFT JOIN users s ON s.username = t.set_by
             LEFT JOIN units u ON u.code = t.unit_code
             ORDER BY t.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub async fn insert_target(
        &self,
        indicator: i64,
        unit: Option<&str>,
        campaign: Option<i64>,
        target: f64,
        by: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let id = sqlx::query_scalar(
            "INSERT INTO targets (indicator_id, unit_code, campaign_id, target, set_by, set_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(indicator)
        .bind(unit)
        .bind(campaign)
        .bind(target)
        .bind(by)
        .bind(now)
        .fetch_one(&self.writer)
        .await?;
        Ok(id)
    }

    pub async fn campaigns(&self) -> Result<Vec<CampaignRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, name, baseline_date, start_date, end_date, report_weekday, report_time, created_at
             FROM campaigns ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub async fn update_campaign(&self, id: i64, c: &NewCampaignRow<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE campaigns SET name = $1, baseline_date = $2, start_date = $3, end_date = $4,
                report_weekday = $5, report_time = $6
             WHERE id = $7",
        )
        .bind(c.name)
        .bind(c.baseline_date)
        .bind(c.start_date)
        .bind(c.end_date)
        .bind(c.report_weekday)
        .bind(c.report_time)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn insert_campaign(
        &self,
        c: &NewCampaignRow<'_>,
        now: i64,
    ) -> Result<i64, StoreError> {
        let id = sqlx::query_scalar(
            "INSERT INTO campaigns (name, baseline_date, start_date, end_date, report_weekday, report_time, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(c.name)
        .bind(c.baseline_date)
        .bind(c.start_date)
        .bind(c.end_date)
        .bind(c.report_weekday)
        .bind(c.report_time)
        .bind(now)
        .fetch_one(&self.writer)
        .await?;
        Ok(id)
    }

    /// The campaign marked current, if one is (an unreadable value counts as none).
    pub async fn marked_current_campaign(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .setting(CURRENT_CAMPAIGN)
            .await?
            .and_then(|v| v.parse().ok()))
    }

    /// Marks `campaign` current, or with `None` returns to the automatic choice.
    pub async fn mark_current_campaign(&self, campaign: Option<i64>) -> Result<(), StoreError> {
        match campaign {
            Some(id) => self.set_setting(CURRENT_CAMPAIGN, &id.to_string()).await,
            None => self.delete_setting(CURRENT_CAMPAIGN).await,
        }
    }
}
