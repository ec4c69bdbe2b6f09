//! Naive numbers: straight from the person rows at request time, what an implementation without
//! maintained counters would run on each request. The counters' own definitions
//! (`khaosat::store::COUNTERS`), only over a whole subtree joined through `units` instead of one
//! village.

use anyhow::Result;
use khaosat::auth::Principal;
use khaosat::metrics::{unit_indicators, IndicatorQuery};
use khaosat::store::{Counters, Counts, Store};
use sqlx::AnyPool;

use crate::population::PROVINCE;

/// The counters of one kind over the subtree at `$1`.
fn naive_sql(counts: Counts) -> String {
    counts.select(
        "JOIN units u ON u.code = h.village_code",
        "substr(u.path, 1, length($1)) = $1",
    )
}

/// All the counters of the subtree at `path`, computed from the rows.
pub async fn naive_counters(pool: &AnyPool, path: &str, born_by: i64) -> Result<Counters> {
    let h = sqlx::query(&naive_sql(Counts::Households))
        .bind(path)
        .fetch_one(pool)
        .await?;
    let p = sqlx::query(&naive_sql(Counts::Persons))
        .bind(path)
        .bind(born_by)
        .fetch_one(pool)
        .await?;
    Ok(Counters::from_selects(&h, &p)?)
}

/// Compares the naive province counters with the maintained ones (summed by the store, and as
/// `unit_indicators` reports them); returns the differences.
pub async fn compare(
    store: &Store,
    admin: &Principal,
    naive: &Counters,
    province_path: &str,
) -> Result<Vec<String>> {
    let mut maintained = Counters::default();
    for v in store.village_counters(province_path, None).await? {
        maintained.add(&v.counters);
    }
    let mut diffs: Vec<String> = naive
        .iter()
        .filter(|(d, n)| *n != maintained[d.counter])
        .map(|(d, n)| {
            format!(
                "{}: naive {n}, maintained {}",
                d.name, maintained[d.counter]
            )
        })
        .collect();
    let table = unit_indicators(store, admin, PROVINCE, &IndicatorQuery::default()).await?;
    for (ind, value) in store.indicators().await?.iter().zip(&table.unit.indicators) {
        // Declared ones are not counted; those added by rule (`--rules`) carry copied counts.
        if ind.source != "survey" || ind.numerator_when.is_some() {
            continue;
        }
        let get = |n: &Option<String>| n.as_deref().and_then(|n| naive.get(n)).unwrap_or(-1);
        let expected = (get(&ind.numerator), get(&ind.denominator));
        if (value.numerator, value.denominator) != expected {
            diffs.push(format!(
                "indicator {}: naive {}/{}, unit_indicators {}/{}",
                ind.id, expected.0, expected.1, value.numerator, value.denominator
            ));
        }
    }
    Ok(diffs)
}
