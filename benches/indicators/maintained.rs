//! One backend through khaosat's own path: units through the store, the counters built as the
//! sync projection builds them, a history of daily snapshots, then the maintained indicator
//! queries timed; the export and the naive comparison are called from here in turn.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use khaosat::auth::{Principal, Role};
use khaosat::clock::{now, vietnam_date};
use khaosat::metrics::{unit_indicators, IndicatorQuery};
use khaosat::store::{counter_columns, Store};
use khaosat::survey::indicators::{self, IndicatorRule};
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

use crate::db::{Backend, TempDb};
use crate::load::{load_postgres, load_sqlite, Loaded};
use crate::naive::{compare, naive_counters};
use crate::population::{path_of, Population, PROVINCE};
use crate::rows::projected;
use crate::rules::add_rule_indicator;
use crate::timing::{sample, Stats};
use crate::Args;

pub struct Report {
    pub households: u64,
    pub persons: u64,
    pub units: Duration,
    pub loaded: Loaded,
    pub counters: Duration,
    pub history: Duration,
    pub history_rows: i64,
    /// Province, district, commune.
    pub maintained: [Stats; 3],
    /// Province and commune with a baseline 60 days back.
    pub baseline: [Stats; 3],
    pub xlsx: Stats,
    pub xlsx_bytes: usize,
    pub naive: [Stats; 3],
    pub size: u64,
    pub agree: bool,
}

pub async fn run_backend(
    backend: &Backend,
    db: &TempDb,
    pop: &Population,
    args: &Args,
) -> Result<Report> {
    let name = backend.name();
    let store = Store::connect(&db.url).await.context("opening the store")?;
    let at = now();

    eprintln!("{name}: creating {} units", pop.units.len());
    let t = Instant::now();
    let units: Vec<_> = pop
        .units
        .iter()
        .map(|u| {
            (
                u.code.as_str(),
                u.name.as_str(),
                u.level,
                u.parent.as_deref(),
            )
        })
        .collect();
    store.insert_units(&units, "bench", at).await?;
    let units_time = t.elapsed();

    eprintln!("{name}: loading households and persons");
    let loaded = match db.sqlite_path() {
        Some(file) => load_sqlite(&file, pop, at).await,
        None => load_postgres(&db.url, pop, at).await,
    }
    .context("loading households and persons")?;
    let expected: usize = pop.villages.iter().map(|v| v.households).sum();
    if loaded.households != expected as u64 {
        bail!(
            "{} households loaded, {expected} generated",
            loaded.households
        );
    }

    // The counters and the indicators' counts, through the path the sync projection takes: one
    // document transaction per village (on PostgreSQL under the document's advisory lock), the
    // rules counted over the village's rows before it opens.
    eprintln!(
        "{name}: building the counters of {} villages",
        pop.villages.len()
    );
    let (day, year) = vietnam_date(at);
    let born_by = i64::from(year) - 15;
    let rules = indicators::rules(&store).await?;
    let t = Instant::now();
    for (i, v) in pop.villages.iter().enumerate() {
        let (households, persons) = pop.village_rows(i, at);
        let counts =
            IndicatorRule::count_all(&rules, &projected(&households, &persons), i64::from(year));
        let mut w = store.begin_doc_write(&v.document_id).await?;
        w.refresh_village_stats(&v.code, &day, born_by, at).await?;
        w.record_rule_counts(&v.code, &day, &counts).await?;
        w.commit().await?;
    }
    let counters_time = t.elapsed();

    // A plain pool of our own, on the same driver as the store, for what the store has no
    // method for: snapshot history, the naive queries, the WAL checkpoint.
    let side = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&db.url)
        .await
        .context("opening a side connection")?;

    eprintln!(
        "{name}: adding {} days of snapshot history",
        args.history_days
    );
    let t = Instant::now();
    add_rules(&store, &side, at, args.rules).await?;
    add_history(&side, at, args.history_days).await?;
    let history = t.elapsed();
    let history_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stats_snapshots")
        .fetch_one(&side)
        .await?;

    let admin = Principal {
        user_id: 0,
        username: "bench-admin".into(),
        role: Role::Admin,
        scope_unit: None,
        scope_path: "/".into(),
        session_id: String::new(),
        device_id: String::new(),
    };
    let province_path = path_of(&[PROVINCE]);
    let district = pop.first_district();
    let commune = pop.first_commune();
    let targets = [
        (PROVINCE, province_path.clone()),
        (district, path_of(&[PROVINCE, district])),
        (commune, path_of(&[PROVINCE, district, commune])),
    ];

    // Correctness first: the naive province numbers (this run also warms the caches for the
    // naive province timing) against the maintained ones.
    eprintln!("{name}: naive province numbers vs maintained counters");
    let naive_province = naive_counters(&side, &province_path, born_by).await?;
    let diffs = compare(&store, &admin, &naive_province, &province_path).await?;
    let agree = diffs.is_empty();
    for d in &diffs {
        println!("{name}: DISAGREE {d}");
    }
    println!("{name}: agree: {}", if agree { "yes" } else { "NO" });

    eprintln!("{name}: timing the maintained indicator queries");
    let (store, admin) = (&store, &admin);
    let plain = IndicatorQuery::default();
    let mut maintained = Vec::new();
    for (code, _) in &targets {
        let q = &plain;
        maintained.push(
            sample(args.runs, true, || async move {
                unit_indicators(store, admin, code, q).await?;
                Ok(())
            })
            .await?,
        );
    }
    // "Before" columns read the latest snapshot on or before the baseline day.
    let with_baseline = IndicatorQuery {
        baseline: Some(vietnam_date(at - 60 * 86_400).0),
        ..Default::default()
    };
    let q = &with_baseline;
    let mut baseline = Vec::new();
    for code in [PROVINCE, commune] {
        baseline.push(
            sample(args.runs, true, || async move {
                unit_indicators(store, admin, code, q).await?;
                Ok(())
            })
            .await?,
        );
    }

    eprintln!("{name}: timing the province XLSX export");
    let (xlsx, xlsx_bytes) = crate::xlsx::time_export(store, admin, q, args.runs).await?;

    // The same when every run follows a restatement on or before the baseline day (a phone
    // offline since before it): the remembered baseline is read again, the cold case. Timed last: for
    // `CHECK_MARGIN` after it, reads of that baseline stay cold.
    let (side_ref, village, day) = (&side, &pop.villages[0].code, with_baseline.baseline.clone());
    let day = &day;
    baseline.push(
        sample(args.runs, true, || async move {
            sqlx::query(
                "INSERT INTO stats_restatements (village_code, day, restated_at, changes)
                 VALUES ($1, $2, $3, 1)",
            )
            .bind(village)
            .bind(day)
            .bind(at)
            .execute(side_ref)
            .await?;
            unit_indicators(store, admin, PROVINCE, q).await?;
            Ok(())
        })
        .await?,
    );

    eprintln!("{name}: timing the naive queries");
    let mut naive = Vec::new();
    for (i, (_, path)) in targets.iter().enumerate() {
        let side = &side;
        naive.push(
            // The province was just warmed by the agreement check.
            sample(args.naive_runs, i > 0, || async move {
                naive_counters(side, path, born_by).await?;
                Ok(())
            })
            .await?,
        );
    }

    if db.sqlite_path().is_some() {
        // Everything into the main file, so the size is the database's, not the log's.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_all(&side)
            .await?;
    }
    side.close().await;
    let size = db.size().await.map_err(anyhow::Error::msg)?;
    store.close().await;

    Ok(Report {
        households: loaded.households,
        persons: loaded.persons,
        units: units_time,
        loaded,
        counters: counters_time,
        history,
        history_rows,
        maintained: [maintained[0], maintained[1], maintained[2]],
        baseline: [baseline[0], baseline[1], baseline[2]],
        xlsx,
        xlsx_bytes,
        naive: [naive[0], naive[1], naive[2]],
        size,
        agree,
    })
}

/// Adds `rules` indicators by rule with counts for every village now and today (copied from the
/// counters: only the row count and size matter), beside the model's.
async fn add_rules(store: &Store, side: &AnyPool, at: i64, rules: u32) -> Result<()> {
    if rules == 0 {
        return Ok(());
    }
    let mut entries = Vec::new();
    for n in 0..rules {
        let id = add_rule_indicator(store, n, at).await?;
        entries.push(format!(
            "'\"{id}\": [' || s.p_surveyed || ', ' || s.p_surveyed || ', ' || s.p_known || ']'"
        ));
    }
    // Today's row and the current one of each village hold every indicator:
    // {"6": [n, asked, eligible], …}.
    let entries = entries.join(" || ', ' || ");
    for (table, only_today) in [
        ("indicator_counts", "day = $1"),
        ("indicator_current", "$1 = $1"),
    ] {
        let sql = format!(
            "UPDATE {table} SET counts = substr(counts, 1, length(counts) - 1) || ', ' ||
               (SELECT {entries} FROM village_stats s WHERE s.village_code = {table}.village_code) || '}}'
             WHERE {only_today}"
        );
        sqlx::query(&sql)
            .bind(vietnam_date(at).0)
            .execute(side)
            .await?;
    }
    Ok(())
}

/// Adds `days` earlier days of snapshots and indicator counts (copies of today's: only the row
/// count matters), so the baseline ("before") columns read a realistic history.
async fn add_history(side: &AnyPool, at: i64, days: u32) -> Result<()> {
    let columns = counter_columns("");
    let snapshots = format!(
        "INSERT INTO stats_snapshots (day, village_code, {columns})
         SELECT $1, village_code, {columns} FROM village_stats"
    );
    let counts = "INSERT INTO indicator_counts (village_code, day, counts)
                  SELECT village_code, $1, counts FROM indicator_counts WHERE day = $2";
    let today = vietnam_date(at).0;
    for k in 1..=i64::from(days) {
        let earlier = vietnam_date(at - k * 86_400).0;
        sqlx::query(&snapshots).bind(&earlier).execute(side).await?;
        sqlx::query(counts)
            .bind(&earlier)
            .bind(&today)
            .execute(side)
            .await?;
    }
    Ok(())
}
