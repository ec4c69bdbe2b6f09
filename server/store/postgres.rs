//! PostgreSQL backend: the scale-out store that several server replicas share.

use std::path::Path;
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

use super::{redact, Backend, Store, StoreError};

pub(super) async fn connect(url: &str) -> Result<Store, StoreError> {
    let options = AnyConnectOptions::from_str(url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect_with(options)
        .await?;
    Ok(Store {
        writer: pool.clone(),
        pool,
        backend: Backend::Postgres,
        access: super::access_changes::AccessBus::new(),
        settled: Default::default(),
        held: Default::default(),
    })
}

/// PostgreSQL backups are taken with `pg_dump` (custom format, consistent snapshot).
pub(super) async fn backup(url: &str, dest: &Path) -> Result<(), StoreError> {
    if dest.exists() {
        return Err(StoreError::Backup(format!(
            "{} already exists; choose a new file name",
            dest.display()
        )));
    }
    let output = tokio::process::Command::new("pg_dump")
        .arg("--format=custom")
        .arg("--file")
        .arg(dest)
        .arg(url)
        .output()
        .await
        .map_err(|e| StoreError::Backup(format!("cannot run pg_dump (is it installed?): {e}")))?;
    if !output.status.success() {
        return Err(StoreError::Backup(format!(
            "pg_dump failed for {}: {}",
            redact(url),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}
