//! SQL for indicators defined by rule (issue 16): the rules in the catalogue, and each village's
//! counts (now, and per day), written in the projection's transaction and read back summed by
//! the caller, one row per village holding every indicator. A removed indicator's entries stay
//! (its id is never reused) and are not read.

use std::collections::HashMap;

use sqlx::{FromRow, Row};

use super::documents::DocWrite;
use super::{Store, StoreError};

/// One indicator's counts over some records (see `survey::indicators` for what each counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCount {
    /// Asked records meeting the numerator's condition.
    pub numerator: i64,
    /// Eligible records with an answer to every field the numerator reads: the rate's
    /// denominator.
    pub asked: i64,
    /// Records the indicator is about.
    pub eligible: i64,
}

impl RuleCount {
    pub fn add(&mut self, other: &RuleCount) {
        self.numerator += other.numerator;
        self.asked += other.asked;
        self.eligible += other.eligible;
    }
}

/// An indicator's rule as stored (JSON conditions, read by `survey::indicators`).
#[derive(Debug, Clone, FromRow)]
pub struct RuleRow {
    pub id: i64,
    pub counts: String,
    pub numerator_when: String,
    pub denominator_when: Option<String>,
    /// `eligible`, or NULL: among those asked.
    pub rate_among: Option<String>,
}

/// An indicator defined by rule, about to be stored.
#[derive(Debug, Clone)]
pub struct NewRuleIndicator<'a> {
    pub name_vi: &'a str,
    pub name_en: &'a str,
    pub default_target: f64,
    pub counts: &'a str,
    pub numerator_when: &'a str,
    pub denominator_when: Option<&'a str>,
    pub rate_among: Option<&'a str>,
    pub created_by: &'a str,
}

/// One village's counts of every indicator.
#[derive(Debug, Clone)]
pub struct VillageRuleCounts {
    /// The village's path.
    pub path: String,
    /// (indicator id, counts), in no particular order.
    pub counts: Vec<(i64, RuleCount)>,
}

impl Store {
    /// The indicators defined by rule, oldest first.
    pub async fn indicator_rules(&self) -> Result<Vec<RuleRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, counts, numerator_when, denominator_when, rate_among FROM indicators
             WHERE numerator_when IS NOT NULL AND counts IS NOT NULL AND removed_at IS NULL
             ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Adds an indicator defined by rule to the catalogue (the next id never given, removed
    /// ones included); returns its id.
    pub async fn insert_rule_indicator(
        &self,
        i: &NewRuleIndicator<'_>,
        now: i64,
    ) -> Result<i64, StoreError> {
        let id = sqlx::query_scalar(
            "INSERT INTO indicators (id, name_vi, name_en, source, default_target,
                section, counts, numerator_when, denominator_when, rate_among, created_by, created_at)
             SELECT COALESCE(MAX(id), 0) + 1, $1, $2, 'survey', $3, 'people', $4, $5, $6, $7, $8, $9
             FROM indicators RETURNING id",
        )
        .bind(i.name_vi)
        .bind(i.name_en)
        .bind(i.default_target)
        .bind(i.counts)
        .bind(i.numerator_when)
        .bind(i.denominator_when)
        .bind(i.rate_among)
        .bind(i.created_by)
        .bind(now)
        .fetch_one(&self.writer)
        .await?;
        Ok(id)
    }

    /// Removes an indicator added by rule from the catalogue with its targets (the survey's
    /// answers stay; the row stays, marked, so the id is never reused, and its entries in the
    /// villages' counts are never read again); false when `id` is not one added to the
    /// catalogue (the model's own indicators have no author).
    pub async fn remove_rule_indicator(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let removed = sqlx::query(
            "UPDATE indicators SET removed_at = $2
             WHERE id = $1 AND numerator_when IS NOT NULL AND created_by IS NOT NULL
               AND removed_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if removed == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM targets WHERE indicator_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Marks an indicator defined by rule as counted in every village.
    pub async fn mark_rule_indicator_counted(&self, id: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE indicators SET counted_at = $2 WHERE id = $1 AND counted_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// How far the first count of each of `ids` has gone: (id, villages counted), and the number
    /// of village documents there are to count.
    pub async fn rule_count_progress(
        &self,
        ids: &[i64],
    ) -> Result<(Vec<(i64, i64)>, i64), StoreError> {
        if ids.is_empty() {
            return Ok((Vec::new(), 0));
        }
        // Read while a first count runs only: every village's current counts, looked into here.
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT c.counts FROM indicator_current c
             JOIN village_documents d ON d.unit_code = c.village_code",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut counted: Vec<(i64, i64)> = ids.iter().map(|id| (*id, 0)).collect();
        for (counts,) in &rows {
            let present = decode_counts(counts);
            for (id, n) in counted.iter_mut() {
                if present.iter().any(|(p, _)| p == id) {
                    *n += 1;
                }
            }
        }
        let villages = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM village_documents")
            .fetch_one(&self.pool)
            .await?;
        Ok((counted, villages))
    }

    /// The counts of each village under `path` now (`day`: `None`) or as they stood at the end
    /// of `day` (its latest row on or before it): one row per village holding every indicator,
    /// summed by the caller, so a province reads a few thousand rows whatever the number of
    /// indicators.
    pub async fn rule_counts_under(
        &self,
        path: &str,
        day: Option<&str>,
    ) -> Result<Vec<VillageRuleCounts>, StoreError> {
        let rows = match day {
            None => {
                sqlx::query(
                    "SELECT v.path, c.counts FROM units v
                     JOIN indicator_current c ON c.village_code = v.code
                     WHERE v.level = 'village' AND substr(v.path, 1, length($1)) = $1",
                )
                .bind(path)
                .fetch_all(&self.pool)
                .await?
            }
            // Each village's latest row on or before the day, found through the key (as the
            // counters' snapshots are): one lookup per village, however many indicators.
            Some(day) => {
                sqlx::query(
                    "SELECT v.path, c.counts FROM units v
                     JOIN indicator_counts c ON c.village_code = v.code
                      AND c.day = (SELECT MAX(x.day) FROM indicator_counts x WHERE x.village_code = v.code AND x.day <= $2)
                     WHERE v.level = 'village' AND substr(v.path, 1, length($1)) = $1",
                )
                .bind(path)
                .bind(day)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok(VillageRuleCounts {
                    path: r.try_get(0)?,
                    counts: decode_counts(r.try_get(1)?),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

/// A day's counts as stored: `{"<indicator id>": [numerator, asked, eligible], …}`.
fn encode_counts(counts: &[(i64, RuleCount)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = counts
        .iter()
        .map(|(id, c)| {
            (
                id.to_string(),
                serde_json::json!([c.numerator, c.asked, c.eligible]),
            )
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// Reads `encode_counts`; an entry it cannot read is skipped (logged), never fatal to a table.
fn decode_counts(text: &str) -> Vec<(i64, RuleCount)> {
    // The stored form, read straight into numbers (a province's table reads thousands).
    if let Ok(map) = serde_json::from_str::<HashMap<i64, [i64; 3]>>(text) {
        return map.into_iter().map(|(id, n)| (id, count_of(n))).collect();
    }
    let map: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(text) {
        Ok(map) => map,
        Err(e) => {
            tracing::warn!(error = %e, "stored counts of indicators by rule cannot be read");
            return Vec::new();
        }
    };
    map.iter()
        .filter_map(|(id, v)| {
            let id = id.parse().ok()?;
            let n: [i64; 3] = serde_json::from_value(v.clone()).ok()?;
            Some((id, count_of(n)))
        })
        .collect()
}

fn count_of(n: [i64; 3]) -> RuleCount {
    RuleCount {
        numerator: n[0],
        asked: n[1],
        eligible: n[2],
    }
}

impl DocWrite {
    /// Records a village's counts of every rule indicator as of now (`day` is today): its day's
    /// row and its current one.
    pub async fn record_rule_counts(
        &mut self,
        village: &str,
        day: &str,
        counts: &[(i64, RuleCount)],
    ) -> Result<(), StoreError> {
        if counts.is_empty() {
            return Ok(());
        }
        // The same row twice: the day's and the current one, encoded once.
        let text = encode_counts(counts);
        self.write_day_counts(village, day, &text).await?;
        sqlx::query(
            "INSERT INTO indicator_current (village_code, counts) VALUES ($1, $2)
             ON CONFLICT (village_code) DO UPDATE SET counts = excluded.counts",
        )
        .bind(village)
        .bind(&text)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Whether `counts` differ from what "as of `day`" answers for the village today (its row
    /// of that day, or the latest before it): an indicator missing there differs.
    pub async fn rule_counts_differ(
        &mut self,
        village: &str,
        day: &str,
        counts: &[(i64, RuleCount)],
    ) -> Result<bool, StoreError> {
        if counts.is_empty() {
            return Ok(false);
        }
        let stored: Option<String> = sqlx::query_scalar(
            "SELECT counts FROM indicator_counts WHERE village_code = $1 AND day <= $2
             ORDER BY day DESC LIMIT 1",
        )
        .bind(village)
        .bind(day)
        .fetch_optional(&mut *self.tx)
        .await?;
        let before = stored.as_deref().map(decode_counts).unwrap_or_default();
        Ok(counts
            .iter()
            .any(|(id, c)| !before.iter().any(|(b, was)| b == id && was == c)))
    }

    /// Records a village's counts of every rule indicator for `day` (today, or a past day a
    /// late change restates), replacing what that day held.
    pub async fn restate_rule_counts(
        &mut self,
        village: &str,
        day: &str,
        counts: &[(i64, RuleCount)],
    ) -> Result<(), StoreError> {
        if counts.is_empty() {
            return Ok(());
        }
        self.write_day_counts(village, day, &encode_counts(counts))
            .await
    }

    /// Writes a village's day row of counts already encoded.
    async fn write_day_counts(
        &mut self,
        village: &str,
        day: &str,
        text: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO indicator_counts (village_code, day, counts) VALUES ($1, $2, $3)
             ON CONFLICT (village_code, day) DO UPDATE SET counts = excluded.counts",
        )
        .bind(village)
        .bind(day)
        .bind(text)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
