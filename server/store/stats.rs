//! SQL for the indicator counters: recomputed per village inside the projection transaction,
//! snapshotted per day, and read back summed over a subtree.

use std::sync::LazyLock;

use sqlx::FromRow;

use super::counters::{counter_columns, Counters, Counts, COUNTERS};
use super::documents::DocWrite;
use super::{Store, StoreError};

/// The statements of `refresh_village_stats`, built once from the counter list.
struct Statements {
    /// The village's household counters; `$1` the village.
    households: String,
    /// The village's person counters; `$1` the village, `$2` the latest birth year counted.
    persons: String,
    /// Upserts: `$1` the village, `$2` the time (the day for the snapshot), then the counters.
    stats: String,
    snapshot: String,
}

static SQL: LazyLock<Statements> = LazyLock::new(|| {
    let columns = counter_columns("");
    let params: Vec<String> = (0..COUNTERS.len()).map(|i| format!("${}", i + 3)).collect();
    let params = params.join(", ");
    let updates: Vec<String> = COUNTERS
        .iter()
        .map(|d| format!("{0} = excluded.{0}", d.name))
        .collect();
    let updates = updates.join(", ");
    Statements {
        households: Counts::Households.select("", "h.village_code = $1"),
        persons: Counts::Persons.select("", "p.village_code = $1"),
        stats: format!(
            "INSERT INTO village_stats (village_code, updated_at, {columns}) VALUES ($1, $2, {params})
             ON CONFLICT (village_code) DO UPDATE SET updated_at = excluded.updated_at, {updates}"
        ),
        snapshot: format!(
            "INSERT INTO stats_snapshots (village_code, day, {columns}) VALUES ($1, $2, {params})
             ON CONFLICT (village_code, day) DO UPDATE SET {updates}"
        ),
    }
});

/// The upsert of one village's figures for one day: `$1` the village, `$2` the day, then the
/// counters (also used when past days are restated).
pub(super) fn snapshot_upsert() -> &'static str {
    &SQL.snapshot
}

impl DocWrite {
    /// Recomputes a village's counters from its projected rows and records them for `day`.
    pub async fn refresh_village_stats(
        &mut self,
        village: &str,
        day: &str,
        born_by: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let h = sqlx::query(&SQL.households)
            .bind(village)
            .fetch_one(&mut *self.tx)
            .await?;
        let p = sqlx::query(&SQL.persons)
            .bind(village)
            .bind(born_by)
            .fetch_one(&mut *self.tx)
            .await?;
        let counters = Counters::from_selects(&h, &p)?;
        let mut q = sqlx::query(&SQL.stats).bind(village).bind(now);
        for (_, v) in counters.iter() {
            q = q.bind(v);
        }
        q.execute(&mut *self.tx).await?;
        let mut q = sqlx::query(&SQL.snapshot).bind(village).bind(day);
        for (_, v) in counters.iter() {
            q = q.bind(v);
        }
        q.execute(&mut *self.tx).await?;
        Ok(())
    }
}

/// An indicator of the catalogue.
#[derive(Debug, Clone, FromRow)]
pub struct IndicatorRow {
    pub id: i64,
    pub name_vi: String,
    pub name_en: String,
    pub source: String,
    pub default_target: f64,
    /// The slide's section: `government` ("ĐỐI VỚI CHÍNH QUYỀN SỐ") or `people` ("ĐỐI VỚI NGƯỜI
    /// DÂN, DOANH NGHIỆP").
    pub section: String,
    /// A survey indicator's rule: what it counts, its conditions (JSON) and the records its
    /// rate is among; NULL for a declared one.
    pub counts: Option<String>,
    pub numerator_when: Option<String>,
    pub denominator_when: Option<String>,
    pub rate_among: Option<String>,
    /// Who added the indicator; NULL for the model's own.
    pub created_by: Option<String>,
    /// When every village was first counted (NULL while that runs).
    pub counted_at: Option<i64>,
}

impl IndicatorRow {
    /// An indicator added by rule whose first count of every village has not finished.
    pub fn first_count_running(&self) -> bool {
        self.numerator_when.is_some() && self.counted_at.is_none()
    }
}

impl Store {
    pub async fn indicators(&self) -> Result<Vec<IndicatorRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, name_vi, name_en, source, default_target, section,
                counts, numerator_when, denominator_when, rate_among, created_by, counted_at
             FROM indicators WHERE removed_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
