//! SQLite backend: a file created on first start, WAL journal, one writer connection.

use std::path::Path;
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use super::{Backend, Store, StoreError};

pub(super) async fn connect(url: &str) -> Result<Store, StoreError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::UnsupportedUrl(format!(
            "{url} (give a file path: an in-memory database would lose every record at shutdown)"
        )));
    }
    if let Some(dir) = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Backup(format!("cannot create {}: {e}", dir.display())))?;
    }
    let options = AnyConnectOptions::from_str(&format!("sqlite://{path}?mode=rwc"))?;
    let writer = pool(1, options.clone()).await?;
    // Pages freed (an idle village compacted into one snapshot) go back to the file system a
    // little at a time (`checkpoints`). Set only on a database without tables, the one case
    // where it takes effect: a database created before keeps reusing its free pages instead,
    // and a command opening a served database (`khaosat backup`) writes nothing to it.
    let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master")
        .fetch_one(&writer)
        .await?;
    if tables == 0 {
        writer.execute("PRAGMA auto_vacuum = INCREMENTAL").await?;
    }
    // WAL lets readers proceed while the single writer commits.
    writer.execute("PRAGMA journal_mode = WAL").await?;
    let readers = pool(8, options).await?;
    tokio::spawn(checkpoints(readers.clone(), writer.clone()));
    Ok(Store {
        pool: readers,
        writer,
        backend: Backend::Sqlite,
        access: super::access_changes::AccessBus::new(),
        settled: Default::default(),
        held: Default::default(),
    })
}

async fn pool(max: u32, options: AnyConnectOptions) -> Result<AnyPool, StoreError> {
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // FULL: a commit survives power loss, not only a crash of the process.
                // No automatic checkpoint: it would run inside the commit that crosses the
                // threshold, holding the only writer while it copies and fsyncs the database
                // file; `checkpoints` does it beside the writer instead.
                conn.execute(
                    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA wal_autocheckpoint = 0",
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// How often the write-ahead log is copied back into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Checkpoints between two looks at the free pages.
const VACUUM_EVERY_CHECKPOINTS: u32 = 10;

/// Free pages worth giving back (fewer are simply reused by the next writes).
const VACUUM_ABOVE_PAGES: i64 = 256;

/// Free pages given back at a time: the statement holds the writer, so it stays short (8 MiB).
const VACUUM_PAGES: u32 = 2048;

/// Copies committed pages from the write-ahead log into the database file, on a reader connection,
/// until the store closes. A PASSIVE checkpoint never waits for the writer or readers: it copies
/// what no reader still needs, and the writer starts the log over once all of it was copied.
/// Every ten seconds it also gives a bounded number of free pages back (on the writer) when
/// there are many.
async fn checkpoints(readers: AnyPool, writer: AnyPool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks = 0u32;
    loop {
        tick.tick().await;
        if readers.is_closed() {
            return;
        }
        ticks = ticks.wrapping_add(1);
        if ticks % VACUUM_EVERY_CHECKPOINTS == 0 {
            let free: Result<i64, sqlx::Error> = sqlx::query_scalar("PRAGMA freelist_count")
                .fetch_one(&readers)
                .await;
            if free.is_ok_and(|n| n > VACUUM_ABOVE_PAGES) {
                let sql = format!("PRAGMA incremental_vacuum({VACUUM_PAGES})");
                if let Err(e) = writer.execute(sql.as_str()).await {
                    if writer.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %e, "returning free pages failed; retried later");
                }
            }
        }
        if let Err(e) = readers.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
            if readers.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "write-ahead log checkpoint failed; retried in a second");
        }
    }
}

/// `VACUUM INTO` writes a transactionally consistent copy without stopping readers or writers.
pub(super) async fn backup(writer: &AnyPool, dest: &Path) -> Result<(), StoreError> {
    if dest.exists() {
        return Err(StoreError::Backup(format!(
            "{} already exists; choose a new file name",
            dest.display()
        )));
    }
    let dest = dest
        .to_str()
        .ok_or_else(|| StoreError::Backup("backup path is not valid UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest)
        .execute(writer)
        .await?;
    Ok(())
}
