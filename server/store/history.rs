//! SQL for figures over time: when stored changes were observed, the days a village has figures
//! for, past days restated by changes that arrived late, and the log of those restatements.

use sqlx::FromRow;

use super::counters::{counter_columns, Counters};
use super::documents::DocWrite;
use super::indicator_counts::RuleCount;
use super::stats::snapshot_upsert;
use super::{Store, StoreError};

/// A past day of one village restated by a batch: its figures as they now stand, and how many
/// of the batch's changes were observed on or before it.
#[derive(Debug, Clone, PartialEq)]
pub struct RestatedDay {
    pub day: String,
    pub counters: Counters,
    /// The rule indicators' counts that day (`survey::indicators`).
    pub rules: Vec<(i64, RuleCount)>,
    pub late_changes: i64,
}

/// Who restated a village's day, and when.
#[derive(Debug, Clone, FromRow)]
pub struct RestatementRow {
    pub village_code: String,
    pub village_name: String,
    pub day: String,
    pub restated_at: i64,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub device_id: Option<String>,
    pub changes: i64,
}

impl Store {
    /// The days from `from` up to (not including) `until` on which a village has figures.
    pub async fn snapshot_days(
        &self,
        village: &str,
        from: &str,
        until: &str,
    ) -> Result<Vec<String>, StoreError> {
        let days = sqlx::query_scalar(
            "SELECT day FROM stats_snapshots WHERE village_code = $1 AND day >= $2 AND day < $3 ORDER BY day",
        )
        .bind(village)
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        Ok(days)
    }

    /// Restatements of villages under `path` for days in `[from, to]`, newest first.
    pub async fn restatements(
        &self,
        path: &str,
        from: &str,
        to: &str,
        limit: i64,
    ) -> Result<Vec<RestatementRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT r.village_code, v.name AS village_name, r.day, r.restated_at, r.username,
                u.display_name, r.device_id, r.changes
             FROM stats_restatements r JOIN units v ON v.code = r.village_code
             LEFT JOIN users u ON u.id = r.user_id
             WHERE substr(v.path, 1, length($1)) = $1 AND r.day >= $2 AND r.day <= $3
             ORDER BY r.restated_at DESC, r.id DESC LIMIT $4",
        )
        .bind(path)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

impl DocWrite {
    /// Stores restated past days of a village. A day whose figures (counters, or counts of the
    /// indicators defined by rule) differ from what "as of that day" answered before (its own
    /// snapshot, or the latest one before it) is logged with who brought the late changes.
    pub async fn restate_days(
        &mut self,
        village: &str,
        days: &[RestatedDay],
        by: (Option<i64>, Option<&str>, Option<&str>),
        now: i64,
    ) -> Result<(), StoreError> {
        let columns = counter_columns("");
        let before_sql = format!(
            "SELECT {columns} FROM stats_snapshots WHERE village_code = $1 AND day <= $2 ORDER BY day DESC LIMIT 1"
        );
        for d in days {
            let rules_changed = self.rule_counts_differ(village, &d.day, &d.rules).await?;
            self.restate_rule_counts(village, &d.day, &d.rules).await?;
            let before = sqlx::query(&before_sql)
                .bind(village)
                .bind(&d.day)
                .fetch_optional(&mut *self.tx)
                .await?;
            let before = match before {
                Some(row) => Counters::from_columns(&row, 0)?,
                None => Counters::default(),
            };
            let counters_changed = before != d.counters;
            if !counters_changed && !rules_changed {
                continue;
            }
            if counters_changed {
                let mut q = sqlx::query(snapshot_upsert()).bind(village).bind(&d.day);
                for (_, v) in d.counters.iter() {
                    q = q.bind(v);
                }
                q.execute(&mut *self.tx).await?;
            }
            // Logged when either changed: remembered past days are read again after it.
            sqlx::query(
                "INSERT INTO stats_restatements (village_code, day, restated_at, user_id, username, device_id, changes)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(village)
            .bind(&d.day)
            .bind(now)
            .bind(by.0)
            .bind(by.1)
            .bind(by.2)
            .bind(d.late_changes)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }
}
