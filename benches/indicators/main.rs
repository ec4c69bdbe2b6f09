//! Indicator benchmark: a province-sized survey population, then the indicator queries.
//!
//! ```sh
//! cargo bench --bench indicators -- [--households 1000000] [--seed 1] [--runs 20] [--naive-runs 5]
//!                                   [--history-days 90] [--rules 0] [--only sqlite|postgres] [--timeout-secs 3600]
//! KHAOSAT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench indicators
//! ```
//!
//! For each backend (a temporary SQLite file; and, when KHAOSAT_TEST_POSTGRES_URL is set, a fresh
//! PostgreSQL database that is dropped afterwards):
//! 1. a province of 27 districts, 500 communes and 3,300 villages is created with
//!    `Store::insert_units`;
//! 2. the households and persons the sync projection would have written (default 1,000,000
//!    households, ~3,060,000 persons, generated deterministically from `--seed`: realistic answer
//!    rates, some rows deleted or duplicates, some households not visited yet, some persons not
//!    asked, children under 15) are bulk-loaded straight into `households` and `persons`
//!    (SQLite: multi-row INSERTs in large transactions; PostgreSQL: COPY, then VACUUM ANALYZE;
//!    both: secondary indexes rebuilt after the load);
//! 3. the counters are built through the real code path, one transaction per village document:
//!    `begin_doc_write` + `refresh_village_stats` + `commit`, as the sync projection does;
//! 4. `--history-days` earlier days of `stats_snapshots` are added (copies of today's counters:
//!    only the row count matters), so the baseline ("before") columns read a realistic history;
//!    with `--rules N`, N indicators added by rule, with counts for every village on each of
//!    those days, so every table also reads and sums them;
//! 5. measured: `metrics::unit_indicators` for the province, a district and a commune (median and
//!    p95 over `--runs`), the province and the commune with a baseline (the "before" columns,
//!    read from the snapshots), the full-province XLSX export with its baseline (what the
//!    `report.xlsx` handler does), and the same numbers computed naively from the person rows
//!    (one aggregate over persons ⋈ households ⋈ units by path prefix, over `--naive-runs`);
//! 6. the naive and maintained province numbers must agree ("agree: yes"), else the exit code
//!    is non-zero.
//!
//! Everything runs on loopback, within `--timeout-secs`, and the temporary databases are removed
//! on success, failure, timeout and Ctrl-C. Measured times include the sqlx `Any` driver, as the
//! server pays it too. Progress and warnings go to stderr (filter with KHAOSAT_LOG, default
//! `warn,sqlx::query=error`), results to stdout.
//!
//! The modules: `rng` and `population` generate the data, `rows` and `load` write it,
//! `maintained` takes the server's path (counters, indicator queries), `xlsx` times the export,
//! `naive` computes the numbers from the person rows, `timing` and `report` measure and print.

#[path = "../common/db.rs"]
mod db;
mod load;
mod maintained;
mod naive;
mod population;
mod report;
mod rng;
mod rows;
#[path = "../common/rules.rs"]
mod rules;
#[path = "../common/timing.rs"]
mod timing;
mod xlsx;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::db::{Backend, TempDb};
use crate::population::{Population, COMMUNES, DISTRICTS};

#[derive(Parser, Debug, Clone)]
#[command(about = "Province-scale benchmark of the indicator queries and reports")]
pub struct Args {
    /// Households in the province (persons: ~3.06 per household).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=20_000_000))]
    pub households: u64,
    /// Seed of the generated population (tree sizes, ids, names, answers).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Timed runs of each maintained indicator query and of the XLSX export (after one warm-up).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(20..=10_000))]
    pub runs: u32,
    /// Timed runs of each naive query over the person rows (after one warm-up).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(5..=1_000))]
    pub naive_runs: u32,
    /// Earlier days of daily snapshots per village (the "before" columns read them).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(0..=3_650))]
    pub history_days: u32,
    /// Indicators added by rule (issue 16), each with counts for every village today and on
    /// every history day (copies of today's counters: only the row count matters).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=50))]
    pub rules: u32,
    /// Run one backend only.
    #[arg(long, value_enum)]
    pub only: Option<Only>,
    /// The whole run (every backend) must finish within this many seconds.
    #[arg(long, default_value_t = 3_600)]
    pub timeout_secs: u64,
    /// Added by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Only {
    Sqlite,
    Postgres,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // sqlx's "slow statement" warnings would flood the output: slow statements are the point
    // of the naive queries.
    let filter = tracing_subscriber::EnvFilter::try_from_env("KHAOSAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
        .ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("start the tokio runtime");
    runtime.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(args.timeout_secs);
    let mut backends = Vec::new();
    if args.only != Some(Only::Postgres) {
        backends.push(Backend::Sqlite);
    }
    if args.only != Some(Only::Sqlite) {
        match std::env::var("KHAOSAT_TEST_POSTGRES_URL") {
            Ok(url) => backends.push(Backend::Postgres(url)),
            Err(_) => eprintln!(
                "PostgreSQL skipped: set KHAOSAT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to include it"
            ),
        }
    }
    // The population is generated again for each backend from the same seed (identical rows);
    // only the tree is kept in memory, rows are streamed village by village.
    let population = Population::generate(args.seed, args.households as usize);
    println!(
        "khaosat indicator benchmark: 1 province, {DISTRICTS} districts, {COMMUNES} communes, {} villages, {} households, seed {}",
        population.villages.len(),
        args.households,
        args.seed
    );
    let mut columns = Vec::new();
    let mut failed = false;
    for backend in backends {
        let db = match TempDb::create(&backend, "bench").await {
            Ok(db) => db,
            Err(e) => {
                println!("{}: FAILED: {e:#}", backend.name());
                failed = true;
                continue;
            }
        };
        // Whatever happens (error, timeout, Ctrl-C), the temporary database goes away.
        // A timeout or Ctrl-C ends the whole run, not just this backend.
        let (result, stop) = tokio::select! {
            r = maintained::run_backend(&backend, &db, &population, &args) => (r, false),
            _ = tokio::time::sleep_until(deadline) => (Err(anyhow::anyhow!(
                "stopped: the run exceeded --timeout-secs {}", args.timeout_secs
            )), true),
            _ = tokio::signal::ctrl_c() => (Err(anyhow::anyhow!("interrupted")), true),
        };
        db.remove().await;
        match &result {
            Ok(r) if !r.agree => failed = true,
            Ok(_) => {}
            Err(e) => {
                println!("{}: FAILED: {e:#}", backend.name());
                failed = true;
            }
        }
        columns.push((backend.name(), result.ok()));
        if stop {
            break;
        }
    }
    report::print_table(&args, &population, &columns);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
