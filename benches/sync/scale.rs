//! Scale figures for khaosat: a database with many village documents (written before the
//! server starts, see setup.rs), the server's start-up time and memory, memory with many phones
//! connected at once, the time a compaction adds to a sync, and database size per household.

use std::time::{Duration, Instant};

use automerge::sync;
use automerge::AutoCommit;
use futures_util::StreamExt;
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::args::Args;
use crate::conn::SyncConn;
use crate::db::{Backend, TempDb};
use crate::http::Api;
use crate::report::percentile;
use crate::server::ServerProcess;
use crate::setup::{self, enumerator, village_code};
use crate::survey;

/// Sequential one-edit syncs by one phone: enough to pass the 64-chunk compaction threshold.
const SMALL_SYNCS: usize = 80;
/// Households in the document whose compaction is timed.
const COMPACTED_HOUSEHOLDS: u32 = 200;
/// Phones signing in and connecting at once.
const CONNECT_CONCURRENCY: usize = 16;

/// A phone holding an open sync connection.
struct Connected {
    conn: SyncConn,
    document_id: String,
    doc: AutoCommit,
    state: sync::State,
}

async fn connect(api: &Api, ws: &str, i: usize) -> Result<Connected, String> {
    let username = enumerator(i);
    let token = api.login(&username, &format!("scale-phone-{i}")).await?;
    let docs = api.get("/api/v1/me/documents", &token).await?;
    let village = village_code(i);
    let document_id = docs
        .as_array()
        .and_then(|a| a.iter().find(|d| d["unit_code"] == village.as_str()))
        .and_then(|d| d["document_id"].as_str())
        .ok_or_else(|| format!("{village} missing from /api/v1/me/documents"))?
        .to_string();
    let url = format!("{ws}/api/v1/sync?token={token}");
    let mut conn = SyncConn::open(&url, &format!("scale-peer-{i}")).await?;
    let mut doc = AutoCommit::new();
    let mut state = sync::State::new();
    conn.sync_doc(&document_id, &mut doc, &mut state).await?;
    Ok(Connected {
        conn,
        document_id,
        doc,
        state,
    })
}

pub async fn run(args: &Args) -> Result<(), String> {
    let villages = args.villages();
    let db = TempDb::create(&Backend::Sqlite, "syncbench").await?;
    let result = measure(&db, args, villages).await;
    db.remove().await;
    result
}

async fn measure(db: &TempDb, args: &Args, villages: u32) -> Result<(), String> {
    let setup = setup::prepare_database(&db.url, args).await?;
    let households = u64::from(villages) * u64::from(args.existing);
    let size = db.size().await?;
    let tables = table_sizes(&db.url).await.unwrap_or_default();
    println!(
        "set-up: {} enumerators in {:.1} s; {villages} village documents with {} households each \
         ({households} households, {} persons) written in {:.1} s",
        args.phones,
        setup.users.as_secs_f64(),
        args.existing,
        households * u64::from(args.persons),
        setup.documents.as_secs_f64()
    );

    let server = ServerProcess::start_ours(&db.url).await?;
    eprintln!("scale: server started; connecting {} phones", args.phones);
    let outcome = with_server(&server, &db.url, args).await;
    let stopped = server.stop().await;
    let after = db.size().await?;
    let (rows, connected, compaction) = outcome?;
    stopped?;

    let row = |label: &str, value: String| println!("| {label} | {value} |");
    println!("\n| scale figure (khaosat, SQLite) | value |\n|---|---:|");
    row("village documents stored", villages.to_string());
    row("households stored", rows.to_string());
    row(
        "server startup to first healthy answer (ms)",
        format!("{:.0}", connected.startup.as_secs_f64() * 1000.0),
    );
    row(
        "server RSS after start (MiB)",
        format!("{:.1}", connected.rss_started_kib as f64 / 1024.0),
    );
    row(
        &format!(
            "server RSS with {} phones connected (MiB)",
            connected.phones
        ),
        format!("{:.1}", connected.rss_connected_kib as f64 / 1024.0),
    );
    row(
        "server peak RSS, whole run (MiB)",
        format!("{:.1}", connected.peak_kib as f64 / 1024.0),
    );
    row(
        &format!(
            "{} phones signed in, fetched, connected in (s)",
            connected.phones
        ),
        format!("{:.1}", connected.connect_time.as_secs_f64()),
    );
    row(
        "database size before the server started (MiB)",
        format!("{:.2}", size as f64 / 1_048_576.0),
    );
    row(
        "database size at the end (MiB)",
        format!("{:.2}", after as f64 / 1_048_576.0),
    );
    if households > 0 {
        row(
            "database bytes per household (whole database / households)",
            format!("{:.0}", size as f64 / households as f64),
        );
    }
    for (table, bytes) in &tables {
        row(
            &format!("  of which table/index {table} (MiB)"),
            format!("{:.2}", *bytes as f64 / 1_048_576.0),
        );
    }
    row(
        "one-edit sync p50 over the run (ms)",
        format!("{:.1}", compaction.p50.as_secs_f64() * 1000.0),
    );
    row(
        "slowest one-edit sync (ms)",
        format!(
            "{:.1} (sync #{})",
            compaction.slowest.as_secs_f64() * 1000.0,
            compaction.slowest_index + 1
        ),
    );
    row(
        &format!("one-edit sync that compacted ({COMPACTED_HOUSEHOLDS} households + edits) (ms)"),
        compaction
            .compacting
            .map_or("no compaction seen".into(), |(i, d)| {
                format!("{:.1} (sync #{})", d.as_secs_f64() * 1000.0, i + 1)
            }),
    );
    row(
        "stored chunks of that document before → after",
        format!("{} → {}", compaction.chunks_before, compaction.chunks_after),
    );
    Ok(())
}

struct Connections {
    phones: usize,
    startup: Duration,
    rss_started_kib: u64,
    rss_connected_kib: u64,
    peak_kib: u64,
    connect_time: Duration,
}

struct Compaction {
    p50: Duration,
    slowest: Duration,
    slowest_index: usize,
    /// The sync after which the stored chunks were fewer: (index, its time).
    compacting: Option<(usize, Duration)>,
    chunks_before: i64,
    chunks_after: i64,
}

async fn with_server(
    server: &ServerProcess,
    database_url: &str,
    args: &Args,
) -> Result<(i64, Connections, Compaction), String> {
    let started = server.stats()?;
    let client = reqwest::Client::builder()
        .timeout(crate::conn::ANSWER_TIMEOUT)
        .no_proxy()
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    let api = Api {
        client,
        base: server.http_base(),
    };
    let ws = format!("ws://{}", server.addr());
    let t = Instant::now();
    let results: Vec<Result<Connected, String>> =
        futures_util::stream::iter(0..args.phones as usize)
            .map(|i| {
                let (api, ws) = (api.clone(), ws.clone());
                async move {
                    connect(&api, &ws, i)
                        .await
                        .map_err(|e| format!("phone {i}: {e}"))
                }
            })
            .buffer_unordered(CONNECT_CONCURRENCY)
            .collect()
            .await;
    let connect_time = t.elapsed();
    let mut phones = results.into_iter().collect::<Result<Vec<_>, String>>()?;
    // Let the server settle (nothing else is going on), then read its memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let connected = server.stats()?;

    eprintln!(
        "scale: {} phones connected; one phone now syncs one edit at a time",
        phones.len()
    );
    // Compaction: one phone, still connected, syncs one edit at a time.
    let phone = phones.first_mut().ok_or("no phone connected")?;
    // A day's village first (one chunk), so that the snapshot is of a realistic document.
    let mut rng = StdRng::seed_from_u64(args.seed);
    survey::record(
        &mut phone.doc,
        args.commits,
        &mut rng,
        "scale",
        COMPACTED_HOUSEHOLDS,
        args.persons,
    )?;
    phone
        .conn
        .sync_doc(&phone.document_id, &mut phone.doc, &mut phone.state)
        .await?;
    let chunks_before = chunk_count(database_url, &phone.document_id).await?;
    let mut times = Vec::with_capacity(SMALL_SYNCS);
    let mut compacted_at = None;
    let mut chunks = chunks_before;
    for i in 0..SMALL_SYNCS {
        survey::edit(&mut phone.doc, &mut rng, 1)?;
        let t = Instant::now();
        phone
            .conn
            .sync_doc(&phone.document_id, &mut phone.doc, &mut phone.state)
            .await?;
        times.push(t.elapsed());
        let now = chunk_count(database_url, &phone.document_id).await?;
        if now < chunks && compacted_at.is_none() {
            compacted_at = Some(i);
        }
        chunks = now;
    }
    let end = server.stats()?;
    let (slowest_index, slowest) = times
        .iter()
        .copied()
        .enumerate()
        .max_by_key(|(_, d)| *d)
        .unwrap_or_default();
    let compacting = compacted_at.and_then(|i| times.get(i).map(|d| (i, *d)));
    let mut sorted = times.clone();
    sorted.sort();
    let chunks_after = chunk_count(database_url, &phone.document_id).await?;
    for p in phones {
        p.conn.close().await;
    }
    Ok((
        crate::setup::count_rows(database_url, "households").await?,
        Connections {
            phones: args.phones as usize,
            startup: server.startup,
            rss_started_kib: started.rss_kib,
            rss_connected_kib: connected.rss_kib,
            peak_kib: end.peak_kib,
            connect_time,
        },
        Compaction {
            p50: percentile(&sorted, 50.0).unwrap_or_default(),
            slowest,
            slowest_index,
            compacting,
            chunks_before,
            chunks_after,
        },
    ))
}

async fn chunk_count(database_url: &str, document_id: &str) -> Result<i64, String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url)
        .await
        .map_err(|e| format!("connecting to {database_url}: {e}"))?;
    let count =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM doc_chunks WHERE document_id = $1")
            .bind(document_id)
            .fetch_one(&pool)
            .await
            .map_err(|e| format!("counting chunks: {e}"));
    pool.close().await;
    count
}

/// The largest tables and indexes of the SQLite file (dbstat; empty when not compiled in).
async fn table_sizes(database_url: &str) -> Result<Vec<(String, i64)>, String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url)
        .await
        .map_err(|e| format!("connecting to {database_url}: {e}"))?;
    let rows = sqlx::query_as::<_, (String, i64)>(
        "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8",
    )
    .fetch_all(&pool)
    .await
    .map_err(|e| format!("dbstat: {e}"));
    pool.close().await;
    rows
}
