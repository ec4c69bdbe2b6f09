//! The indicator counters are declared once (`store::COUNTERS`); the migrations must give each
//! of them a column in `village_stats` and `stats_snapshots`, and nothing else that looks like
//! one, and every survey indicator of the catalogue must name counters of the list.

use khaosat::store::COUNTERS;

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
    let named = app
        .rows("SELECT numerator, denominator FROM indicators WHERE source = 'survey'")
        .await;
    assert!(!named.is_empty());
    for name in named.into_iter().flatten() {
        let name = name.unwrap_or_default();
        assert!(
            COUNTERS.iter().any(|d| d.name == name),
            "the catalogue names '{name}', which is not a counter"
        );
    }
}
