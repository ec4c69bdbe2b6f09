//! A database written by an earlier release keeps its meaning when this one migrates it: the
//! per-change attribution rows become runs that date every change exactly as before.

use std::borrow::Cow;
use std::path::Path;

use khaosat::store::Store;
use sqlx::migrate::Migrator;

use crate::common::pg_exec;

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

async fn upgrade_keeps_every_observation(url: &str) {
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
            .filter(|m| m.version <= BEFORE_RUNS)
            .cloned()
            .collect(),
    );
    let insert = "INSERT INTO doc_changes (document_id, change_hash, actor, seq, change_time, observed_at, user_id, device_id, received_at)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    sqlx::any::install_default_drivers();
    let create = if url.starts_with("sqlite") {
        format!("{url}?mode=rwc")
    } else {
        url.to_string()
    };
    let pool = sqlx::AnyPool::connect(&create).await.unwrap();
    migrator.run(&pool).await.expect("the earlier migrations");
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

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    upgrade_keeps_every_observation(&url).await;
}

#[tokio::test]
async fn postgres() {
    let Ok(admin) = std::env::var("KHAOSAT_TEST_POSTGRES_URL") else {
        eprintln!("SKIPPED (postgres): set KHAOSAT_TEST_POSTGRES_URL to run");
        return;
    };
    let name = format!("khaosat_upgrade_{}", uuid::Uuid::new_v4().simple());
    pg_exec(&admin, &format!("CREATE DATABASE {name}")).await;
    let url = match admin.rfind('/') {
        Some(i) if i > "postgres://".len() => format!("{}/{name}", &admin[..i]),
        _ => format!("{admin}/{name}"),
    };
    upgrade_keeps_every_observation(&url).await;
    pg_exec(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
}
