//! The end-of-day burst against one server: start it, get the phones ready, let them all
//! reconnect, price an idle reconnect, check that nothing was lost, and read the server's
//! memory and CPU time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::args::{Args, Profile};
use crate::db::{Backend, TempDb};
use crate::http::Api;
use crate::phone::{self, join_all, Ctx};
use crate::proxy::{Link, Proxy};
use crate::report::Report;
use crate::server::{disk_bytes, ServerProcess};
use crate::setup::{self, count_rows};

#[derive(Clone, Debug)]
pub enum Target {
    Ours(Backend),
    Stock,
}

impl Target {
    pub fn name(&self) -> String {
        match self {
            Target::Ours(b) => format!("khaosat {}", b.name()),
            Target::Stock => "stock sync-server".into(),
        }
    }
}

pub async fn run_target(target: &Target, args: &Args) -> Result<Report, String> {
    match target {
        Target::Ours(backend) => {
            let db = TempDb::create(backend, "syncbench").await?;
            let result = async {
                let setup = setup::prepare_database(&db.url, args).await?;
                let server = ServerProcess::start_ours(&db.url).await?;
                let mut report = Report {
                    setup: setup.users + setup.documents,
                    ..Default::default()
                };
                let outcome = workload(&server, true, args, &mut report).await;
                if outcome.is_ok() {
                    let rows = check_rows(&db.url, args, &mut report).await;
                    if let Err(e) = rows {
                        report.errors.push(e);
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(args.rest_secs)).await;
                }
                if let Err(e) = server.stop().await {
                    report.errors.push(e);
                }
                outcome?;
                report.storage_bytes = db.size().await?;
                let tables = db.table_sizes().await?;
                let shown: Vec<String> = tables
                    .iter()
                    .take(8)
                    .map(|(t, n)| format!("{t} {:.0}", *n as f64 / 1024.0))
                    .collect();
                let households = report.household_rows.unwrap_or(0).max(1) as f64;
                println!(
                    "{}: storage {:.0} B per household{}; by table with its indexes, largest first (KiB): {}",
                    target.name(),
                    report.storage_bytes as f64 / households,
                    if args.rest_secs > 0 { " at rest" } else { "" },
                    shown.join(", ")
                );
                Ok(report)
            }
            .await;
            db.remove().await;
            result
        }
        Target::Stock => {
            let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
            let data = dir.path().join("data");
            std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
            let server = ServerProcess::start_stock(&data).await?;
            let mut report = Report::default();
            let outcome = workload(&server, false, args, &mut report).await;
            // Its file storage writes at most every 100 ms after a change: let it settle.
            tokio::time::sleep(Duration::from_millis(500)).await;
            if let Err(e) = server.stop().await {
                report.errors.push(e);
            }
            outcome?;
            report.storage_bytes = disk_bytes(&data);
            Ok(report)
        }
    }
}

async fn workload(
    server: &ServerProcess,
    ours: bool,
    args: &Args,
    report: &mut Report,
) -> Result<(), String> {
    let n = args.phones as usize;
    report.phones = n;
    report.startup = server.startup;
    report.rss_started_kib = server.stats()?.rss_kib;
    let api = if ours {
        let client = reqwest::Client::builder()
            .timeout(crate::conn::ANSWER_TIMEOUT)
            // Stay on 127.0.0.1 whatever HTTP_PROXY says.
            .no_proxy()
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Some(Api {
            client,
            base: server.http_base(),
        })
    } else {
        None
    };
    let direct = format!("ws://{}", server.addr());
    let mut ctx = Ctx {
        api,
        burst: direct.clone(),
        direct,
        dropping: None,
        existing: args.existing,
        households: args.households,
        edits: args.edits,
        persons: args.persons,
        commits: args.commits,
    };

    // Ready: every phone holds its document and has done its day's work offline.
    let mut seeds = StdRng::seed_from_u64(args.seed);
    let started = Instant::now();
    let shared = Arc::new(ctx);
    let mut set = JoinSet::new();
    let gate = Arc::new(Semaphore::new(args.prepare_concurrency()));
    for i in 0..n {
        let (ctx, seed, gate) = (shared.clone(), seeds.gen(), gate.clone());
        set.spawn(async move {
            let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
            let phone = phone::prepare(ctx, i, seed).await;
            phone.map_err(|e| format!("phone {i}, getting ready: {e}"))
        });
    }
    let phones = join_all(set, &mut report.errors).await;
    report.prepare = started.elapsed();
    if phones.is_empty() {
        return Err(format!(
            "no phone got ready; first error: {}",
            report.errors.first().map_or("none", String::as_str)
        ));
    }
    report.floor = crate::floor::apply_floor(&phones)?;
    report.changes_per_phone = mean(phones.iter().map(|p| p.changes as f64));
    report.change_bytes_per_phone = mean(phones.iter().map(|p| p.change_bytes as f64));

    // The network of the burst.
    ctx = Arc::try_unwrap(shared).map_err(|_| "phones still hold the context".to_string())?;
    let link = (args.profile == Profile::ThreeG).then(Link::three_g);
    let mut proxies = Vec::new();
    if link.is_some() || args.drop_mid_sync {
        let shaped = Proxy::start(server.addr(), link, None, args.seed).await?;
        ctx.burst = format!("ws://{}", shaped.addr);
        proxies.push(shaped);
    }
    if args.drop_mid_sync {
        let cut_after = Some(args.cut_after);
        let dropping = Proxy::start(server.addr(), link, cut_after, args.seed ^ 1).await?;
        ctx.dropping = Some(format!("ws://{}", dropping.addr));
        proxies.push(dropping);
    }
    let ctx = Arc::new(ctx);

    let held_before = match &ctx.api {
        Some(api) => Some(api.writer_held().await?),
        None => None,
    };
    let before = server.stats()?;
    report.peak_before_burst_kib = before.peak_kib;
    report.rss_before_burst_kib = before.rss_kib;
    server.reset_peak()?;

    // The burst: every phone that got ready reconnects at the same moment (at most
    // --concurrency at once).
    let gate = Arc::new(Semaphore::new(args.concurrency()));
    let started = Instant::now();
    let mut set = JoinSet::new();
    for phone in phones {
        let i = phone.index;
        let (ctx, gate) = (ctx.clone(), gate.clone());
        set.spawn(async move {
            let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
            let synced = phone::burst(ctx, phone).await;
            synced.map_err(|e| format!("phone {i}, reconnect burst: {e}"))
        });
    }
    let synced = join_all(set, &mut report.errors).await;
    let after = server.stats()?;
    if let (Some(api), Some((_, total_before, _))) = (&ctx.api, held_before) {
        let (_, total, _) = api.writer_held().await?;
        report.writer_held_per_phone_ms = Some((total - total_before) / synced.len().max(1) as f64);
    }
    report.peak_burst_kib = after.peak_kib;
    report.cpu_burst_secs = after.cpu_secs - before.cpu_secs;
    report.synced = synced.len();
    report.cuts = synced.iter().filter(|(_, r)| r.cut).count();
    report.retries = synced.iter().map(|(_, r)| r.retries as usize).sum();
    report.burst_wall = synced
        .iter()
        .map(|(_, r)| r.synced_at - started)
        .max()
        .unwrap_or_default();
    report.latencies = synced.iter().map(|(_, r)| r.latency).collect();
    report.latencies.sort();
    report.wire_bytes_per_phone = mean(synced.iter().map(|(_, r)| r.wire_bytes as f64));
    drop(proxies);

    // Idle reconnects, then a fresh peer checks each document.
    let mut set = JoinSet::new();
    for (phone, result) in synced {
        let i = phone.index;
        let (ctx, gate) = (ctx.clone(), gate.clone());
        set.spawn(async move {
            let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
            let idle = phone::idle_reconnects(ctx, phone, result.saved_state).await;
            idle.map_err(|e| format!("phone {i}, idle reconnect: {e}"))
        });
    }
    let idle = join_all(set, &mut report.errors).await;
    report.handshake_bytes = mean(idle.iter().map(|(_, r)| r.handshake_bytes as f64));
    report.idle_fresh_bytes = mean(idle.iter().map(|(_, r)| r.fresh_state_bytes as f64));
    report.idle_saved_bytes = mean(idle.iter().map(|(_, r)| r.saved_state_bytes as f64));

    let mut set = JoinSet::new();
    for (phone, _) in idle {
        let i = phone.index;
        let (ctx, gate) = (ctx.clone(), gate.clone());
        set.spawn(async move {
            let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
            let checked = phone::verify(ctx, phone).await;
            checked.map_err(|e| format!("phone {i}, server copy: {e}"))
        });
    }
    report.verified = join_all(set, &mut report.errors).await.len();
    if let Some(api) = &ctx.api {
        report.writer_held_max_ms = Some(api.writer_held().await?.2);
    }
    let end = server.stats()?;
    report.cpu_total_secs = end.cpu_secs;
    report.peak_after_kib = end.peak_kib;
    Ok(())
}

/// Every acknowledged household must be in SQL, projected into its village.
async fn check_rows(database_url: &str, args: &Args, report: &mut Report) -> Result<(), String> {
    let households = count_rows(database_url, "households").await?;
    let persons = count_rows(database_url, "persons").await?;
    report.household_rows = Some(households);
    report.person_rows = Some(persons);
    let expected = i64::from(args.villages()) * i64::from(args.existing)
        + i64::from(args.phones) * i64::from(args.households);
    if households != expected {
        report.errors.push(format!(
            "households table has {households} rows, expected {expected}"
        ));
    }
    if persons != expected * i64::from(args.persons) {
        report.errors.push(format!(
            "persons table has {persons} rows, expected {}",
            expected * i64::from(args.persons)
        ));
    }
    Ok(())
}

pub fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}
