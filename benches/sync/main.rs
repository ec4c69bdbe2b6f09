//! Field-scale sync load harness: many phones bring a day of offline work back at once, against
//! khaosat and against the stock `@automerge/automerge-repo-sync-server`, side by side.
//!
//! ```sh
//! CARGO_TARGET_DIR=... cargo build --release          # the khaosat binary the harness runs
//! cargo bench --bench sync -- [--target both|ours|stock] [--phones 50] [--households 20]
//!     [--edits 10] [--existing 0] [--persons 3] [--villages N] [--concurrency 0]
//!     [--prepare-concurrency 0] [--rule-indicators 0] [--rest-secs 0]
//!     [--profile lan|3g] [--drop-mid-sync] [--commits field|form] [--seed 1]
//! cargo bench --bench sync -- --scenario scale --villages 10000 --phones 500 --existing 5
//! KHAOSAT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench sync
//! ```
//!
//! Both servers run as child processes on 127.0.0.1, so their peak RSS (VmHWM) and CPU time
//! (utime + stime) come from /proc: khaosat is the release binary (`khaosat serve`, KHAOSAT_BIN
//! to choose another) over a fresh SQLite file (and, with KHAOSAT_TEST_POSTGRES_URL, a fresh
//! PostgreSQL database that is dropped afterwards); the stock server is the version pinned in
//! tests/node (installed with `npm ci` when missing), with file storage in a temporary
//! directory. Each phone is a real Automerge peer speaking automerge-repo's WebSocket protocol:
//! 1. khaosat: it signs in, lists its documents and fetches its village document; stock server
//!    (no accounts): it makes the same village document (with `--existing` households) under a
//!    fresh document id and uploads it;
//! 2. offline, it records `--households` households with `--persons` persons and one visit each
//!    (docs/SCHEMA.md), one Automerge change per answer as the PWA does, then makes `--edits`
//!    edits to households of its document;
//!    then the floor: every phone's changes applied to a copy of its document in this process
//!    on all cores (floor.rs), the machine's limit the burst is compared with;
//! 3. all reconnect at once (at most `--concurrency`) and sync until the server's heads hold
//!    every change of theirs — the measured burst (optionally through a simulated 3G link,
//!    and with the first connection cut mid-sync);
//! 4. it reconnects twice with nothing new, to price an idle sync;
//! 5. a fresh peer fetches the document and must get exactly the phone's heads; for khaosat the
//!    `households` and `persons` rows are counted straight from the database.
//!
//! Phones, proxy and servers share the machine's cores, so the numbers are a floor.

mod args;
mod burst;
mod conn;
#[path = "../common/db.rs"]
mod db;
mod floor;
mod http;
mod phone;
mod proxy;
mod report;
#[path = "../common/rules.rs"]
mod rules;
mod scale;
mod server;
mod setup;
mod survey;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::args::{Args, Scenario, TargetChoice};
use crate::burst::Target;
use crate::db::Backend;

fn main() -> ExitCode {
    let args = Args::parse();
    // The last resort if something hangs: the whole run is bounded.
    let limit = Duration::from_secs(args.timeout_secs);
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("sync benchmark: still running {limit:?} after start; exiting");
        server::kill_all();
        std::process::exit(2);
    });
    let filter = tracing_subscriber::EnvFilter::try_from_env("KHAOSAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
        .ok();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("starting the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match args.scenario {
        Scenario::Burst => runtime.block_on(burst_scenario(args)),
        Scenario::Scale => match runtime.block_on(scale::run(&args)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                println!("scale run FAILED: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

async fn burst_scenario(args: Args) -> ExitCode {
    let mut targets = Vec::new();
    if args.target != TargetChoice::Stock {
        targets.push(Target::Ours(Backend::Sqlite));
        match std::env::var("KHAOSAT_TEST_POSTGRES_URL") {
            Ok(url) => targets.push(Target::Ours(Backend::Postgres(url))),
            Err(_) => eprintln!(
                "PostgreSQL skipped: set KHAOSAT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to include it"
            ),
        }
    }
    if args.target != TargetChoice::Ours {
        targets.push(Target::Stock);
    }
    println!(
        "sync burst: {} phones ({} at once) × {} new households × {} persons + {} edits, one \
         change per {}, {} households already in each of {} villages, network {:?}{}, seed {}",
        args.phones,
        args.concurrency(),
        args.households,
        args.persons,
        args.edits,
        args.commits.unit(),
        args.existing,
        args.villages(),
        args.profile,
        if args.drop_mid_sync {
            ", first burst connection cut mid-sync"
        } else {
            ""
        },
        args.seed
    );
    let mut columns = Vec::new();
    for target in targets {
        let result = burst::run_target(&target, &args).await;
        if let Ok(report) = &result {
            println!(
                "{}: set-up before start {:.1} s, phones ready (sign-in, fetch/upload, offline work) {:.1} s",
                target.name(),
                report.setup.as_secs_f64(),
                report.prepare.as_secs_f64()
            );
        }
        columns.push((target.name(), result));
    }
    let errors = report::print_table(&args, &columns);
    println!("errors: {errors}");
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
