//! What one run against one server measured, and the side-by-side table (Markdown, so it can
//! go into docs/PERFORMANCE.md as printed).

use std::time::Duration;

use crate::args::Args;

#[derive(Default)]
pub struct Report {
    pub phones: usize,
    /// From spawning the server to its first healthy answer.
    pub startup: Duration,
    /// khaosat only: users, villages and documents written before the server started.
    pub setup: Duration,
    pub prepare: Duration,
    pub synced: usize,
    pub cuts: usize,
    /// Reconnects after the server closed or reset a phone's connection during the burst.
    pub retries: usize,
    pub verified: usize,
    pub burst_wall: Duration,
    /// Applying every phone's changes in-process on all cores, nothing else (floor.rs).
    pub floor: Duration,
    pub latencies: Vec<Duration>,
    pub changes_per_phone: f64,
    pub wire_bytes_per_phone: f64,
    pub change_bytes_per_phone: f64,
    pub handshake_bytes: f64,
    pub idle_fresh_bytes: f64,
    pub idle_saved_bytes: f64,
    pub rss_started_kib: u64,
    /// Peak RSS from start to the burst (set-up, sign-ins, document fetches or uploads).
    pub peak_before_burst_kib: u64,
    /// RSS just before the burst.
    pub rss_before_burst_kib: u64,
    /// Peak RSS during the burst alone (VmHWM reset just before it).
    pub peak_burst_kib: u64,
    /// Peak RSS from the burst to the end (idle reconnects, checks).
    pub peak_after_kib: u64,
    pub cpu_burst_secs: f64,
    pub cpu_total_secs: f64,
    /// Database (SQLite file + WAL, or pg_database_size) or the stock server's data directory.
    pub storage_bytes: u64,
    /// khaosat: the writer's held time during the burst per phone synced, and the longest
    /// single write of the run (ms; from `/readyz`).
    pub writer_held_per_phone_ms: Option<f64>,
    pub writer_held_max_ms: Option<f64>,
    pub household_rows: Option<i64>,
    pub person_rows: Option<i64>,
    /// Failed phones and failed checks.
    pub errors: Vec<String>,
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.max(1) - 1).copied()
}

fn per_sec(count: f64, wall: Duration) -> f64 {
    if wall.is_zero() {
        0.0
    } else {
        count / wall.as_secs_f64()
    }
}

/// One cell: the number (for ratios) and how it is printed.
struct Cell(Option<f64>, String);

fn num(v: f64, decimals: usize) -> Cell {
    Cell(Some(v), format!("{v:.decimals$}"))
}

fn opt(v: Option<f64>, decimals: usize) -> Cell {
    v.map_or_else(|| Cell(None, "-".into()), |v| num(v, decimals))
}

fn ms(d: Option<Duration>) -> Cell {
    match d {
        Some(d) => num(d.as_secs_f64() * 1000.0, 1),
        None => Cell(None, "-".into()),
    }
}

fn mib(kib: u64) -> Cell {
    num(kib as f64 / 1024.0, 1)
}

fn text(s: String) -> Cell {
    Cell(None, s)
}

/// The rows of one server's column.
fn column(args: &Args, r: &Report) -> Vec<(&'static str, Cell)> {
    let households = r.synced as f64 * f64::from(args.households);
    let overhead = if r.change_bytes_per_phone > 0.0 {
        num(r.wire_bytes_per_phone / r.change_bytes_per_phone, 2)
    } else {
        text("-".into())
    };
    let rows = |v: Option<i64>| v.map_or(text("-".into()), |v| num(v as f64, 0));
    vec![
        ("phones synced", text(format!("{}/{}", r.synced, r.phones))),
        ("links cut mid-sync, then resumed", num(r.cuts as f64, 0)),
        ("reconnects after a server reset", num(r.retries as f64, 0)),
        (
            "server copies verified by a fresh peer",
            num(r.verified as f64, 0),
        ),
        ("changes per phone", num(r.changes_per_phone, 0)),
        ("burst wall time (s)", num(r.burst_wall.as_secs_f64(), 3)),
        (
            "floor: changes applied in-process, all cores (s)",
            num(r.floor.as_secs_f64(), 3),
        ),
        (
            "burst wall time / floor",
            num(
                r.burst_wall.as_secs_f64() / r.floor.as_secs_f64().max(1e-9),
                1,
            ),
        ),
        (
            "completed syncs/s",
            num(per_sec(r.synced as f64, r.burst_wall), 1),
        ),
        (
            "households stored/s",
            num(per_sec(households, r.burst_wall), 0),
        ),
        (
            "reconnect→server has all p50 (ms)",
            ms(percentile(&r.latencies, 50.0)),
        ),
        (
            "reconnect→server has all p95 (ms)",
            ms(percentile(&r.latencies, 95.0)),
        ),
        (
            "reconnect→server has all p99 (ms)",
            ms(percentile(&r.latencies, 99.0)),
        ),
        (
            "wire bytes per phone (burst)",
            num(r.wire_bytes_per_phone, 0),
        ),
        (
            "Automerge change bytes per phone",
            num(r.change_bytes_per_phone, 0),
        ),
        ("wire / change bytes", overhead),
        (
            "idle resync B/doc, fresh sync state",
            num(r.idle_fresh_bytes, 0),
        ),
        (
            "idle resync B/doc, saved sync state",
            num(r.idle_saved_bytes, 0),
        ),
        (
            "join/peer handshake B per connection",
            num(r.handshake_bytes, 0),
        ),
        ("server RSS after start (MiB)", mib(r.rss_started_kib)),
        (
            "server peak RSS before burst (MiB)",
            mib(r.peak_before_burst_kib),
        ),
        (
            "server RSS just before burst (MiB)",
            mib(r.rss_before_burst_kib),
        ),
        ("server peak RSS during burst (MiB)", mib(r.peak_burst_kib)),
        (
            "writer held per phone during burst (ms)",
            opt(r.writer_held_per_phone_ms, 1),
        ),
        (
            "longest write holding the writer (ms)",
            opt(r.writer_held_max_ms, 1),
        ),
        ("server CPU s during burst", num(r.cpu_burst_secs, 2)),
        ("server CPU s whole run", num(r.cpu_total_secs, 2)),
        (
            "server startup to healthy (ms)",
            num(r.startup.as_secs_f64() * 1000.0, 0),
        ),
        (
            "storage on disk (MiB)",
            num(r.storage_bytes as f64 / 1_048_576.0, 2),
        ),
        ("households rows (SQL)", rows(r.household_rows)),
        ("persons rows (SQL)", rows(r.person_rows)),
        ("errors", num(r.errors.len() as f64, 0)),
    ]
}

/// Prints one column per server, the ratio khaosat/stock when both ran, and the errors;
/// returns how many errors there were.
pub fn print_table(args: &Args, columns: &[(String, Result<Report, String>)]) -> usize {
    let cells: Vec<Option<Vec<(&str, Cell)>>> = columns
        .iter()
        .map(|(_, result)| result.as_ref().ok().map(|r| column(args, r)))
        .collect();
    // The ratio compares the first khaosat column with the stock one.
    let ours = columns.iter().position(|(n, _)| n.starts_with("khaosat"));
    let stock = columns.iter().position(|(n, _)| n.starts_with("stock"));
    let ratio = ours.zip(stock);
    println!();
    print!("| metric |");
    for (name, _) in columns {
        print!(" {name} |");
    }
    if ratio.is_some() {
        print!(" ours / theirs |");
    }
    println!();
    print!("|---|");
    for _ in 0..columns.len() + usize::from(ratio.is_some()) {
        print!("---:|");
    }
    println!();
    for (row, (label, _)) in column(args, &Report::default()).iter().enumerate() {
        print!("| {label} |");
        for cell in &cells {
            let shown = cell.as_ref().map_or("failed", |c| c[row].1 .1.as_str());
            print!(" {shown} |");
        }
        if let Some((o, s)) = ratio {
            let value = |i: usize| cells[i].as_ref().and_then(|c| c[row].1 .0);
            match (value(o), value(s)) {
                (Some(a), Some(b)) if b != 0.0 => print!(" {:.2} |", a / b),
                _ => print!(" |"),
            }
        }
        println!();
    }
    println!(
        "\nwire bytes: WebSocket frame payloads both ways, counted at the phone from connect to close\n\
         (frame headers, HTTP upgrade and TCP/IP not counted); idle resync: the sync exchange alone,\n\
         after the join/peer handshake. CPU and RSS: /proc of the server process (RSS peak = VmHWM)."
    );

    let mut errors = 0;
    for (name, result) in columns {
        match result {
            Ok(report) => {
                errors += report.errors.len();
                for e in report.errors.iter().take(10) {
                    println!("{name} error: {e}");
                }
                if report.errors.len() > 10 {
                    println!("{name}: {} more errors", report.errors.len() - 10);
                }
            }
            Err(e) => {
                println!("{name} FAILED: {e}");
                errors += 1;
            }
        }
    }
    errors
}
