//! The progress counters are declared once (`store::COUNTERS`); the migrations must give each
//! of them a column in `village_stats` and `stats_snapshots`, and nothing else that looks like
//! one, and every survey indicator of the catalogue must be a rule over the survey's fields.

use khaosat::store::{RuleRow, COUNTERS};
use khaosat::survey::indicators::{IndicatorRule, RateAmong};

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(migrations_have_a_column_per_counter);

/// The columns of `table` in the migrated database, sorted.
async fn columns(app: &TestApp, table: &str) -> Vec<String> {
    let sql = if app.database_url.starts_with("sqlite:") {
        format!("SELECT name FROM pragma_table_info('{table}')")
    } else {
        format!(
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = '{table}'"
        )
    };
    let mut names: Vec<String> = app
        .rows(&sql)
        .await
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .collect();
    names.sort();
    names
}

fn sorted(names: impl IntoIterator<Item = &'static str>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().map(str::to_string).collect();
    names.sort();
    names
}

async fn migrations_have_a_column_per_counter(app: &TestApp) {
    let counters = COUNTERS.iter().map(|d| d.name);
    for (table, keys) in [
        ("village_stats", ["village_code", "updated_at"]),
        ("stats_snapshots", ["village_code", "day"]),
    ] {
        assert_eq!(
            columns(app, table).await,
            sorted(counters.clone().chain(keys)),
            "{table}: one column per counter of store::COUNTERS, plus its keys"
        );
    }
    // The indicators are not counters: every survey indicator of the catalogue, the model's
    // included, is a rule this server can read; the model's keep the pilot table's rate.
    let rules = app
        .rows(
            "SELECT CAST(id AS TEXT), counts, numerator_when, denominator_when, rate_among, created_by
             FROM indicators WHERE source = 'survey'",
        )
        .await;
    let mut ids: Vec<i64> = rules
        .iter()
        .filter_map(|r| r[0].as_deref()?.parse().ok())
        .collect();
    ids.sort();
    assert_eq!(ids, [6, 7, 8, 9, 10, 11, 13, 14, 15]);
    for r in rules {
        let row = RuleRow {
            id: r[0].as_deref().unwrap_or("0").parse().expect("id"),
            counts: r[1].clone().unwrap_or_default(),
            numerator_when: r[2].clone().unwrap_or_default(),
            denominator_when: r[3].clone(),
            rate_among: r[4].clone(),
        };
        let rule = IndicatorRule::from_row(&row).unwrap_or_else(|| panic!("{row:?} is readable"));
        assert_eq!(rule.rate_among, RateAmong::Eligible, "{row:?}");
        assert!(rule.denominator.is_some(), "{row:?}");
        assert_eq!(r[5], None, "the model's indicators have no author");
    }
}
