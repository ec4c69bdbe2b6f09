//! SQL for the indicator counters: recomputed per village inside the projection transaction,
//! snapshotted per day, and read back summed over a subtree.

use std::sync::LazyLock;

use sqlx::{FromRow, Row};

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

/// A unit's counters and each listed child's, summed by the database.
#[derive(Debug, Clone, Default)]
pub struct SubtreeCounters {
    pub total: Counters,
    /// By child path (children with no village figures are absent).
    pub children: Vec<(String, Counters)>,
}

impl Store {
    /// Counters summed over the villages under `path`, in total and under each of the
    /// `children` paths: current ones, or as they stood at the end of `as_of` (each village's
    /// latest figures on or before that day, found through the (village, day) key). The sums are
    /// made by the database, so the answer is one row per child whatever the number of villages.
    pub async fn subtree_counters(
        &self,
        path: &str,
        children: &[&str],
        as_of: Option<&str>,
    ) -> Result<SubtreeCounters, StoreError> {
        let sums: Vec<String> = COUNTERS
            .iter()
            .map(|d| format!("CAST(COALESCE(SUM(s.{}), 0) AS BIGINT)", d.name))
            .collect();
        let sums = sums.join(", ");
        let (figures, first_child) = match as_of {
            None => ("JOIN village_stats s ON s.village_code = v.code".to_string(), 2),
            Some(_) => (
                "JOIN stats_snapshots s ON s.village_code = v.code
                  AND s.day = (SELECT MAX(x.day) FROM stats_snapshots x WHERE x.village_code = v.code AND x.day <= $2)"
                    .to_string(),
                3,
            ),
        };
        let under = "substr(v.path, 1, length($1)) = $1";
        let total_sql = format!("SELECT {sums} FROM units v {figures} WHERE {under}");
        let row = scoped(&total_sql, path, as_of)
            .fetch_one(&self.pool)
            .await?;
        let total = Counters::from_columns(&row, 0)?;
        let mut out = SubtreeCounters {
            total,
            children: Vec::new(),
        };
        for batch in children.chunks(500) {
            let list: Vec<String> = (0..batch.len())
                .map(|i| format!("${}", i + first_child))
                .collect();
            let sql = format!(
                "SELECT c.path, {sums} FROM units c
                 JOIN units v ON substr(v.path, 1, length(c.path)) = c.path {figures}
                 WHERE {under} AND c.path IN ({}) GROUP BY c.path",
                list.join(", ")
            );
            let mut q = scoped(&sql, path, as_of);
            for child in batch {
                q = q.bind(child.to_string());
            }
            for r in q.fetch_all(&self.pool).await? {
                out.children
                    .push((r.try_get(0)?, Counters::from_columns(&r, 1)?));
            }
        }
        Ok(out)
    }
}

/// A query with the subtree path as `$1` and, for figures as of a day, that day as `$2`.
fn scoped<'q>(
    sql: &'q str,
    path: &str,
    as_of: Option<&str>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let q = sqlx::query(sql).bind(path.to_string());
    match as_of {
        Some(day) => q.bind(day.to_string()),
        None => q,
    }
}

/// An indicator of the catalogue.
#[derive(Debug, Clone, FromRow)]
pub struct IndicatorRow {
    pub id: i64,
    pub name_vi: String,
    pub name_en: String,
    pub source: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub default_target: f64,
}

impl Store {
    pub async fn indicators(&self) -> Result<Vec<IndicatorRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, name_vi, name_en, source, numerator, denominator, default_target FROM indicators ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
