//! Naive numbers: straight from the person rows at request time, what an implementation without
//! maintained counts would run on each request. The progress counters' own definitions
//! (`khaosat::store::COUNTERS`), and the model's survey indicators written here as plain SQL (the
//! pilot table's definitions, independent of the rules the server counts them with), over a
//! whole subtree joined through `units` instead of one village.

use anyhow::Result;
use khaosat::auth::Principal;
use khaosat::metrics::{unit_indicators, IndicatorQuery};
use khaosat::store::{Counters, Counts, Store};
use sqlx::{AnyPool, Row};

use crate::population::PROVINCE;

/// Persons with any checklist answer (the VNeID level included).
const SURVEYED: &str =
    "COALESCE(p.vneid_level, p.has_cccd, p.has_phone, p.has_smartphone, p.own_sim,
    p.has_public_service_account, p.has_payment_account, p.has_e_signature, p.has_province_app,
    p.has_cyber_safety_app, p.trained_digital_skills, p.uses_digital_platform,
    p.used_online_service_eid) IS NOT NULL";

/// The model's survey indicators: id, what is counted, numerator, population.
const MODEL: &[(i64, Counts, &str, &str)] = &[
    (6, Counts::Persons, "p.has_smartphone = 1", SURVEYED),
    (7, Counts::Persons, "p.has_payment_account = 1", SURVEYED),
    (8, Counts::Persons, "p.vneid_level >= 1", SURVEYED),
    (9, Counts::Persons, "p.has_e_signature = 1", SURVEYED),
    (
        10,
        Counts::Persons,
        "p.trained_digital_skills = 1",
        SURVEYED,
    ),
    (11, Counts::Persons, "p.uses_digital_platform = 1", SURVEYED),
    (
        13,
        Counts::Persons,
        "p.has_cyber_safety_app = 1",
        "p.has_smartphone = 1",
    ),
    (
        14,
        Counts::Persons,
        "p.used_online_service_eid = 1",
        SURVEYED,
    ),
    (
        15,
        Counts::Households,
        "h.pays_electricity_cashless = 1",
        "(h.visit_outcome = 'surveyed' OR h.pays_electricity_cashless IS NOT NULL)",
    ),
];

const JOIN: &str = "JOIN units u ON u.code = h.village_code";
const SCOPE: &str = "substr(u.path, 1, length($1)) = $1";

/// The subtree's figures computed from the rows.
pub struct Naive {
    pub counters: Counters,
    /// (indicator id, numerator, denominator) of each of `MODEL`.
    pub model: Vec<(i64, i64, i64)>,
}

/// The model's indicators of one kind as one select: numerator and denominator of each.
fn model_sql(counts: Counts) -> String {
    let aggregates: Vec<String> = MODEL
        .iter()
        .filter(|m| m.1 == counts)
        .flat_map(|(_, _, num, den)| {
            [
                format!("COALESCE(SUM(CASE WHEN ({den}) AND ({num}) THEN 1 ELSE 0 END), 0)"),
                format!("COALESCE(SUM(CASE WHEN {den} THEN 1 ELSE 0 END), 0)"),
            ]
        })
        .collect();
    format!(
        "SELECT {} FROM {} {JOIN} WHERE {SCOPE} AND {}",
        aggregates.join(", "),
        counts.from(),
        counts.live()
    )
}

/// All the figures of the subtree at `path`, computed from the rows.
pub async fn naive_counters(pool: &AnyPool, path: &str, born_by: i64) -> Result<Naive> {
    let h = sqlx::query(&Counts::Households.select(JOIN, SCOPE))
        .bind(path)
        .fetch_one(pool)
        .await?;
    let p = sqlx::query(&Counts::Persons.select(JOIN, SCOPE))
        .bind(path)
        .bind(born_by)
        .fetch_one(pool)
        .await?;
    let counters = Counters::from_selects(&h, &p)?;
    let mut model = Vec::new();
    for counts in [Counts::Households, Counts::Persons] {
        let sql = model_sql(counts);
        let mut q = sqlx::query(&sql).bind(path);
        if counts == Counts::Persons {
            q = q.bind(born_by);
        }
        let row = q.fetch_one(pool).await?;
        for (i, m) in MODEL.iter().filter(|m| m.1 == counts).enumerate() {
            model.push((m.0, row.try_get(2 * i)?, row.try_get(2 * i + 1)?));
        }
    }
    Ok(Naive { counters, model })
}

/// Compares the naive province figures with the maintained ones (counters summed by the store,
/// and indicators as `unit_indicators` reports them); returns the differences.
pub async fn compare(
    store: &Store,
    admin: &Principal,
    naive: &Naive,
    province_path: &str,
) -> Result<Vec<String>> {
    let mut maintained = Counters::default();
    for v in store.village_counters(province_path, None).await? {
        maintained.add(&v.counters);
    }
    let mut diffs: Vec<String> = naive
        .counters
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
    for &(id, numerator, denominator) in &naive.model {
        let value = table.unit.indicators.iter().find(|v| v.id == id);
        let got = value.map_or((-1, -1), |v| (v.numerator, v.denominator));
        if got != (numerator, denominator) {
            diffs.push(format!(
                "indicator {id}: naive {numerator}/{denominator}, unit_indicators {}/{}",
                got.0, got.1
            ));
        }
    }
    Ok(diffs)
}
