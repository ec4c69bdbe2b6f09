//! Late-sync restatement benchmark: what a sync costs when it brings work a phone recorded days
//! ago, so the server recounts and restates every day since (issue 12, docs/API.md
//! "Observation time").
//!
//! ```sh
//! cargo bench --bench restate -- [--households 600] [--days 7] [--late 20] [--runs 10] [--rules 0]
//! KHAOSAT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench restate
//! ```
//!
//! For each backend (a temporary SQLite file; and, with KHAOSAT_TEST_POSTGRES_URL, a fresh
//! PostgreSQL database dropped afterwards), in process, through `SyncHub::edit` (the path a
//! phone's sync takes after the network: apply, date, recount, store, project, commit):
//! 1. a village of `--households` households (3 adults each, every answer its own Automerge
//!    change as the PWA makes them) is recorded over the past `--days` days, one day's share
//!    per sync, so every day has figures;
//! 2. timed, `--runs` times: a same-day sync of `--late` households (nothing to restate), and a
//!    late sync of `--late` households recorded `--days` days ago by a phone that went offline
//!    after the first day, which restates every day from then to yesterday. Median and p95 of
//!    each, and the document's size in changes.

// Shared with the other benchmarks; this one needs only part of it.
#[allow(dead_code)]
#[path = "../common/db.rs"]
mod db;
#[path = "../common/rules.rs"]
mod rules;
#[allow(dead_code)]
#[path = "../common/timing.rs"]
mod timing;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, Result};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ObjType, ReadDoc, ScalarValue};
use clap::Parser;
use khaosat::clock::now;
use khaosat::store::{Store, VillageDocRow};
use khaosat::survey::schema::{self, PERSON_FLAGS};
use khaosat::sync::documents::ensure_village_document;
use khaosat::sync::{SyncHub, Uploader};

use crate::db::{Backend, TempDb};
use crate::timing::summarize;

const DAY: i64 = 24 * 3600;
const VILLAGE: &str = "39301.01";

#[derive(Parser, Debug, Clone)]
struct Args {
    /// Households recorded in the village before the timed syncs.
    #[arg(long, default_value_t = 600)]
    households: u32,
    /// Days over which they were recorded; the late sync is dated this many days back.
    #[arg(long, default_value_t = 7)]
    days: i64,
    /// Households in each timed sync.
    #[arg(long, default_value_t = 20)]
    late: u32,
    #[arg(long, default_value_t = 10)]
    runs: u32,
    /// Indicators added by rule before the village is recorded (issue 16): each sync also
    /// counts them.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=50))]
    rules: u32,
    /// Added by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// Records households `from..to`, every answer its own change stamped `time` (+1 s each).
fn record(
    doc: &mut AutoCommit,
    from: u32,
    to: u32,
    time: i64,
) -> Result<(), automerge::AutomergeError> {
    let households = match doc.get(automerge::ROOT, schema::HOUSEHOLDS)? {
        Some((_, obj)) => obj,
        None => doc.put_object(automerge::ROOT, schema::HOUSEHOLDS, ObjType::Map)?,
    };
    let mut t = time;
    let mut commit = |doc: &mut AutoCommit| {
        doc.commit_with(CommitOptions::default().with_time(t));
        t += 1;
    };
    for n in from..to {
        let h = doc.put_object(&households, format!("bench-{n:06}"), ObjType::Map)?;
        doc.put(&h, "head_name", ScalarValue::Str(format!("Hộ {n}").into()))?;
        commit(doc);
        doc.put(&h, "pays_electricity_cashless", n % 3 == 0)?;
        commit(doc);
        let persons = doc.put_object(&h, schema::PERSONS, ObjType::Map)?;
        for p in 0..3 {
            let person = doc.put_object(&persons, format!("bench-{n:06}-{p}"), ObjType::Map)?;
            doc.put(&person, "birth_year", 1950 + i64::from((n + p) % 50))?;
            commit(doc);
            for (i, flag) in PERSON_FLAGS.iter().enumerate() {
                doc.put(&person, *flag, (n as usize + i) % 3 != 0)?;
                commit(doc);
            }
            doc.put(&person, "vneid_level", i64::from(n % 3))?;
            commit(doc);
        }
    }
    Ok(())
}

/// Records households `from..to` on a phone's copy and brings them to the server as one sync.
async fn sync(
    hub: &SyncHub,
    row: &VillageDocRow,
    phone: &mut AutoCommit,
    (from, to): (u32, u32),
    time: i64,
) -> Result<()> {
    let before = phone.get_heads();
    record(phone, from, to, time)?;
    let changes = phone.get_changes(&before);
    hub.edit(row, Uploader::default(), |doc| {
        doc.apply_changes(changes).map(|()| true)
    })
    .await
    .map_err(|e| anyhow!("storing the sync: {e}"))?;
    Ok(())
}

async fn run(backend: &Backend, args: &Args) -> Result<()> {
    let db = TempDb::create(backend, "restate")
        .await
        .map_err(|e| anyhow!(e))?;
    let result = async {
        let store = Store::connect(&db.url).await?;
        khaosat::demo::seed_pilot(&store).await?;
        for n in 0..args.rules {
            rules::add_rule_indicator(&store, n, now()).await?;
        }
        let hub = SyncHub::new(store.clone()).await?;
        let row = ensure_village_document(&store, VILLAGE).await?;
        let mut phone = AutoCommit::load(&store.doc_chunks(&row.document_id, 0).await?[0].1)?;
        let at = now();
        let first_day = at - args.days * DAY + 3600;
        let per_day = args.households.div_ceil(args.days as u32);
        // The late phone leaves after the first day's share and stays offline since.
        let mut late_phone = None;
        for d in 0..args.days {
            let from = d as u32 * per_day;
            let to = (from + per_day).min(args.households);
            // Each day's share, recorded that day (synced now: it lands on its own day).
            sync(&hub, &row, &mut phone, (from, to), first_day + d * DAY).await?;
            late_phone.get_or_insert_with(|| phone.fork());
        }
        let mut late_phone = late_phone.ok_or_else(|| anyhow!("--days must be at least 1"))?;
        let mut next = args.households;
        let mut same_day = Vec::new();
        let mut late = Vec::new();
        for _ in 0..args.runs.max(1) {
            for (phone, time, times) in [
                (&mut phone, now() - 60, &mut same_day),
                (&mut late_phone, first_day + 60, &mut late),
            ] {
                let t = Instant::now();
                sync(&hub, &row, phone, (next, next + args.late), time).await?;
                times.push(t.elapsed());
                next += args.late;
            }
        }
        let (same_day, late) = (summarize(same_day), summarize(late));
        let pool = sqlx::AnyPool::connect(&db.url).await?;
        let changes: i64 = sqlx::query_scalar("SELECT CAST(SUM(seq_last - seq_first + 1) AS BIGINT) FROM doc_change_runs")
            .fetch_one(&pool)
            .await?;
        let restated: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stats_restatements")
            .fetch_one(&pool)
            .await?;
        println!(
            "{}: village of {} households ({} changes at the end), syncs of {} households, {} indicator(s) by rule",
            backend.name(),
            next,
            changes,
            args.late,
            args.rules
        );
        println!(
            "  same-day sync (nothing restated)       median / p95: {}",
            same_day.ms()
        );
        println!(
            "  sync recorded {} days ago (restates each day since) median / p95: {}",
            args.days,
            late.ms()
        );
        println!("  restated-day log rows: {restated}");
        Ok(())
    }
    .await;
    db.remove().await;
    result
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    sqlx::any::install_default_drivers();
    let mut backends = vec![Backend::Sqlite];
    if let Ok(url) = std::env::var("KHAOSAT_TEST_POSTGRES_URL") {
        backends.push(Backend::Postgres(url));
    }
    for b in &backends {
        if let Err(e) = run(b, &args).await {
            eprintln!("{}: {e:#}", b.name());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
