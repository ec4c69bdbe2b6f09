//! A database written by an earlier release keeps its meaning when this one migrates it: the
//! per-change attribution rows become runs that date every change exactly as before, and the
//! counters that held the model's indicators become those indicators' counts, now and per day.

use std::borrow::Cow;
use std::path::Path;

use khaosat::store::Store;
use sqlx::migrate::Migrator;

/// The last migration of the release that stored one attribution row per change.
const BEFORE_RUNS: i64 = 16;

/// (document, actor, seq, phone stamp, observed, user, received): two batches of actor `aa`
/// (the second skipping seq 6), one of `bb` sent by nobody, one of `aa` in another document.
/// An attribution row as the earlier release stored it.
type OldRow = (&'static str, &'static str, i64, i64, i64, Option<i64>, i64);

const ROWS: &[OldRow] = &[
    ("doc1", "aa", 1, 100, 1_000, Some(3), 5_000),
    ("doc1", "aa", 2, 110, 1_010, Some(3), 5_000),
    ("doc1", "aa", 3, 90, 1_010, Some(3), 5_000),
    ("doc1", "aa", 4, 140, 1_040, Some(3), 5_000),
    ("doc1", "aa", 5, 150, 1_041, Some(3), 6_000),
    ("doc1", "aa", 7, 170, 1_070, Some(3), 6_000),
    ("doc1", "bb", 1, 0, 7_000, None, 7_000),
    ("doc2", "aa", 1, 300, 3_000, Some(3), 8_000),
];

/// A database as an earlier release left it: this release's migrations up to `last`.
async fn earlier_release(url: &str, last: i64) -> sqlx::AnyPool {
    let mut migrator = Migrator::new(Path::new(if url.starts_with("sqlite") {
        "migrations/sqlite"
    } else {
        "migrations/postgres"
    }))
    .await
    .expect("read the migrations");
    migrator.migrations = Cow::Owned(
        migrator
            .migrations
            .iter()
            .filter(|m| m.version <= last)
            .cloned()
            .collect(),
    );
    sqlx::any::install_default_drivers();
    let create = if url.starts_with("sqlite") {
        format!("{url}?mode=rwc")
    } else {
        url.to_string()
    };
    let pool = sqlx::AnyPool::connect(&create).await.unwrap();
    migrator.run(&pool).await.expect("the earlier migrations");
    pool
}

async fn upgrade_keeps_every_observation(url: &str) {
    let pool = earlier_release(url, BEFORE_RUNS).await;
    let insert = "INSERT INTO doc_changes (document_id, change_hash, actor, seq, change_time, observed_at, user_id, device_id, received_at)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    for (i, r) in ROWS.iter().enumerate() {
        sqlx::query(insert)
            .bind(r.0)
            .bind(format!("h{i}"))
            .bind(r.1)
            .bind(r.2)
            .bind(r.3)
            .bind(r.4)
            .bind(r.5)
            .bind(r.5.map(|_| "phone-1"))
            .bind(r.6)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;

    let store = Store::connect(url)
        .await
        .expect("this release's migrations");
    for doc in ["doc1", "doc2"] {
        let mut expected: Vec<((String, i64), i64)> = ROWS
            .iter()
            .filter(|r| r.0 == doc)
            .map(|r| ((r.1.to_string(), r.2), r.4))
            .collect();
        expected.sort();
        let mut got: Vec<((String, i64), i64)> = store
            .change_observations(doc)
            .await
            .unwrap()
            .into_iter()
            .collect();
        got.sort();
        assert_eq!(got, expected, "{doc}");
    }
    // Runs: aa 1–4 (first batch), aa 5 and aa 7 (second, seq 6 missing), bb 1, and doc2's.
    let some = store
        .observations_of(
            "doc1",
            &[("aa".into(), 7), ("bb".into(), 1), ("aa".into(), 6)],
        )
        .await
        .unwrap();
    assert_eq!(some.len(), 2, "{some:?}");
    assert_eq!(some[&("aa".to_string(), 7)], 1_070);
    store.close().await;
}

/// The last migration of the release whose counter columns held the model's indicators.
const BEFORE_RULES: i64 = 18;

/// Village v1's counters: now (h_known, h_surveyed, h_elec_cashless, p_known, p_surveyed,
/// p_smartphone, p_smartphone_cyber, p_vneid) and on two days; indicator 17, added by rule,
/// has counts on two days, one of them a day without a snapshot.
async fn counters_become_rule_counts(url: &str) {
    let pool = earlier_release(url, BEFORE_RULES).await;
    let columns = "h_known, h_surveyed, h_elec_cashless, p_known, p_surveyed, p_smartphone,
                   p_smartphone_cyber, p_vneid";
    for sql in [
        format!("INSERT INTO village_stats (village_code, updated_at, {columns})
                 VALUES ('v1', 1, 10, 9, 6, 30, 25, 20, 12, 18)"),
        format!("INSERT INTO stats_snapshots (village_code, day, {columns})
                 VALUES ('v1', '2025-01-01', 4, 4, 1, 12, 10, 7, 3, 6)"),
        format!("INSERT INTO stats_snapshots (village_code, day, {columns})
                 VALUES ('v1', '2025-01-03', 10, 9, 6, 30, 25, 20, 12, 18)"),
        "INSERT INTO indicators (id, name_vi, name_en, source, default_target, section, counts,
            numerator_when, created_by, created_at, counted_at)
         VALUES (17, 'Cài ứng dụng', '', 'survey', 0.5, 'people', 'persons',
            '{\"yes\": \"has_province_app\"}', 'tinh', 1, 1)"
            .into(),
        r#"INSERT INTO indicator_counts (village_code, day, counts) VALUES ('v1', '2025-01-02', '{"17": [2, 5, 9]}')"#.into(),
        r#"INSERT INTO indicator_counts (village_code, day, counts) VALUES ('v1', '2025-01-03', '{"17": [3, 6, 9]}')"#.into(),
    ] {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let store = Store::connect(url)
        .await
        .expect("this release's migrations");
    // Units are not part of this database: the stored rows are read themselves.
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let (now,): (String,) =
        sqlx::query_as("SELECT counts FROM indicator_current WHERE village_code = 'v1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let now: serde_json::Value = serde_json::from_str(&now).expect("stored counts");
    assert_eq!(
        now,
        serde_json::json!({
            "6": [20, 25, 25], "7": [0, 25, 25], "8": [18, 25, 25], "9": [0, 25, 25],
            "10": [0, 25, 25], "11": [0, 25, 25], "13": [12, 20, 20], "14": [0, 25, 25],
            "15": [6, 9, 9], "17": [3, 6, 9]
        })
    );
    let days: Vec<(String, String)> = sqlx::query_as(
        "SELECT day, counts FROM indicator_counts WHERE village_code = 'v1' ORDER BY day",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let entry = |day: &str, id: &str| -> Option<[i64; 3]> {
        let (_, counts) = days.iter().find(|(d, _)| d == day)?;
        let json: serde_json::Value = serde_json::from_str(counts).expect("stored counts");
        serde_json::from_value(json.get(id)?.clone()).ok()
    };
    let listed: Vec<&str> = days.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(listed, ["2025-01-01", "2025-01-02", "2025-01-03"]);
    // Each day holds the counters' figures of that day (or the day before) beside the rule's.
    assert_eq!(entry("2025-01-01", "6"), Some([7, 10, 10]));
    assert_eq!(entry("2025-01-01", "17"), None);
    assert_eq!(entry("2025-01-02", "6"), Some([7, 10, 10]));
    assert_eq!(entry("2025-01-02", "15"), Some([1, 4, 4]));
    assert_eq!(entry("2025-01-02", "17"), Some([2, 5, 9]));
    assert_eq!(entry("2025-01-03", "13"), Some([12, 20, 20]));
    assert_eq!(entry("2025-01-03", "17"), Some([3, 6, 9]));
    // The catalogue: the model's survey indicators are rules, built in, not being counted.
    let catalogue = store.indicators().await.unwrap();
    let model: Vec<i64> = catalogue
        .iter()
        .filter(|i| i.numerator_when.is_some() && i.created_by.is_none())
        .map(|i| i.id)
        .collect();
    assert_eq!(model, [6, 7, 8, 9, 10, 11, 13, 14, 15]);
    assert!(catalogue.iter().all(|i| !i.first_count_running()));
    pool.close().await;
    store.close().await;
}

/// Runs `scenario` on a fresh SQLite file and, when configured, a fresh PostgreSQL database.
macro_rules! on_fresh_databases {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("old.db").display());
                super::$scenario(&url).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Ok(admin) = std::env::var("KHAOSAT_TEST_POSTGRES_URL") else {
                    eprintln!("SKIPPED (postgres): set KHAOSAT_TEST_POSTGRES_URL to run");
                    return;
                };
                let name = format!("khaosat_upgrade_{}", uuid::Uuid::new_v4().simple());
                crate::common::pg_exec(&admin, &format!("CREATE DATABASE {name}")).await;
                let url = match admin.rfind('/') {
                    Some(i) if i > "postgres://".len() => format!("{}/{name}", &admin[..i]),
                    _ => format!("{admin}/{name}"),
                };
                super::$scenario(&url).await;
                crate::common::pg_exec(
                    &admin,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                )
                .await;
            }
        }
    };
}

on_fresh_databases!(upgrade_keeps_every_observation);
on_fresh_databases!(counters_become_rule_counts);
