//! Reading the indicator counters summed over a subtree: today's live figures grouped by child
//! unit in SQL (a province reads one row per district, not one per village), and past days'
//! figures remembered once read, since a past day changes only through a restatement (logged in
//! `stats_restatements`) or a change of the unit tree (logged in `unit_events`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::Row;

use super::counters::{counter_columns, Counters, COUNTERS};
use super::indicator_counts::VillageRuleCounts;
use super::{Store, StoreError};

/// Counters of one unit (a village, or a child unit with everything under it) with its path.
#[derive(Debug, Clone)]
pub struct VillageCounters {
    pub path: String,
    pub counters: Counters,
}

/// How many (subtree, day) reads are kept; a province's is ~600 KB at 1M households.
const SETTLED_ENTRIES: usize = 64;

/// Past days' per-village figures already read. An entry stays valid until the unit tree changes
/// or a restatement touches its subtree on or before its day (the counters' or the counts of the
/// indicators defined by rule: both are logged); a late sync restating yesterday
/// leaves a baseline 30 days back in place. Each use looks at what was logged since the entry was
/// last checked (`stats_restatements.restated_at`, `unit_events.at`), less `CHECK_MARGIN`: ids
/// may commit out of order on PostgreSQL, times are stamped before the commit and replicas'
/// clocks differ a little. Replicas sharing one PostgreSQL each keep their own and agree.
#[derive(Debug, Default)]
pub(super) struct SettledFigures {
    entries: Mutex<HashMap<(String, String), Settled>>,
}

/// How far back before its last check an entry looks (seconds): longer than a write transaction
/// lasts plus the clock difference between replicas.
const CHECK_MARGIN: i64 = 600;

#[derive(Debug, Clone)]
struct Settled {
    /// When this entry was last found valid (seconds, this server's clock).
    checked_at: i64,
    figures: Arc<SettledDay>,
}

/// A past day's figures of every village under a path.
#[derive(Debug, Default)]
pub struct SettledDay {
    pub counters: Vec<VillageCounters>,
    /// The counts of the indicators defined by rule, when asked for (`None`: not read).
    pub rules: Option<Vec<VillageRuleCounts>>,
}

impl Store {
    /// Counters of every village under `path`: current ones, or as they stood at the end of
    /// `as_of` (each village's latest snapshot on or before that day, found through the
    /// (village, day) key so the cost follows the subtree, not the length of the history).
    pub async fn village_counters(
        &self,
        path: &str,
        as_of: Option<&str>,
    ) -> Result<Vec<VillageCounters>, StoreError> {
        let columns = counter_columns("s.");
        let rows = match as_of {
            None => {
                sqlx::query(&format!(
                    "SELECT v.path, {columns} FROM village_stats s JOIN units v ON v.code = s.village_code
                     WHERE substr(v.path, 1, length($1)) = $1"
                ))
                .bind(path)
                .fetch_all(&self.pool)
                .await?
            }
            Some(day) => {
                sqlx::query(&format!(
                    "SELECT v.path, {columns} FROM units v
                     JOIN stats_snapshots s ON s.village_code = v.code
                      AND s.day = (SELECT MAX(x.day) FROM stats_snapshots x WHERE x.village_code = v.code AND x.day <= $2)
                     WHERE v.level = 'village' AND substr(v.path, 1, length($1)) = $1"
                ))
                .bind(path)
                .bind(day)
                .fetch_all(&self.pool)
                .await?
            }
        };
        decode(&rows)
    }

    /// Today's counters under `path` summed per child unit (and per village directly under it):
    /// `path` of each row is the child's. The grouping runs in the database, so the answer has
    /// one row per child whatever the size of the subtree.
    pub async fn child_counters(&self, path: &str) -> Result<Vec<VillageCounters>, StoreError> {
        // PostgreSQL sums BIGINTs as NUMERIC: cast back so both backends answer integers.
        let sums = COUNTERS
            .iter()
            .map(|d| format!("CAST(SUM(s.{}) AS BIGINT)", d.name))
            .collect::<Vec<_>>()
            .join(", ");
        let position = self.backend.position_fn();
        // The child's path: the village's path up to the first '/' after the unit's own path.
        let child = format!(
            "substr(v.path, 1, length($1) + {position}(substr(v.path, length($1) + 1), '/'))"
        );
        let rows = sqlx::query(&format!(
            "SELECT {child} AS child, {sums} FROM village_stats s JOIN units v ON v.code = s.village_code
             WHERE substr(v.path, 1, length($1)) = $1
             GROUP BY {child}"
        ))
        .bind(path)
        .fetch_all(&self.pool)
        .await?;
        decode(&rows)
    }

    /// The figures of every village under `path` on a past day that no longer takes ordinary
    /// writes (the caller's judgement: days before yesterday): the counters, and with
    /// `with_rules` the counts of the indicators defined by rule. Read once, then remembered
    /// until a restatement or a change of the unit tree. `now`: the current time in seconds.
    pub async fn settled_day(
        &self,
        path: &str,
        day: &str,
        with_rules: bool,
        now: i64,
    ) -> Result<Arc<SettledDay>, StoreError> {
        let key = (path.to_string(), day.to_string());
        let kept = self.settled.lock().get(&key).cloned();
        let kept = match kept {
            Some(entry)
                if !self
                    .changed_since(entry.checked_at - CHECK_MARGIN, path, day)
                    .await? =>
            {
                Some(entry.figures)
            }
            _ => None,
        };
        let figures = match kept {
            Some(figures) if figures.rules.is_some() || !with_rules => figures,
            // Remembered without the rules' counts: those are read now and kept with them.
            Some(figures) => Arc::new(SettledDay {
                counters: figures.counters.clone(),
                rules: Some(self.rule_counts_under(path, Some(day)).await?),
            }),
            None => Arc::new(SettledDay {
                counters: self.village_counters(path, Some(day)).await?,
                rules: match with_rules {
                    true => Some(self.rule_counts_under(path, Some(day)).await?),
                    false => None,
                },
            }),
        };
        let mut settled = self.settled.lock();
        if settled.len() >= SETTLED_ENTRIES && !settled.contains_key(&key) {
            settled.clear();
        }
        settled.insert(
            key,
            Settled {
                checked_at: now,
                figures: figures.clone(),
            },
        );
        Ok(figures)
    }

    /// Whether, since `since`, a unit moved or merged (which changes the villages under a path;
    /// created, renamed and retired units do not) or a restatement touched `path` on or before
    /// `day`.
    async fn changed_since(&self, since: i64, path: &str, day: &str) -> Result<bool, StoreError> {
        let hit: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM unit_events WHERE at >= $1 AND kind IN ('moved', 'merged')
             UNION ALL
             SELECT 1 FROM stats_restatements r JOIN units v ON v.code = r.village_code
             WHERE r.restated_at >= $1 AND r.day <= $2 AND substr(v.path, 1, length($3)) = $3
             LIMIT 1",
        )
        .bind(since)
        .bind(day)
        .bind(path)
        .fetch_optional(&self.pool)
        .await?;
        Ok(hit.is_some())
    }
}

impl SettledFigures {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Settled>> {
        // A panic while holding it leaves a plain map: still usable.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn decode(rows: &[sqlx::any::AnyRow]) -> Result<Vec<VillageCounters>, StoreError> {
    rows.iter()
        .map(|r| {
            Ok(VillageCounters {
                path: r.try_get(0)?,
                counters: Counters::from_columns(r, 1)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}
