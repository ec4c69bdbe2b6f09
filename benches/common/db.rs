//! Throw-away databases for the benchmarks (shared by `benches/sync` and `benches/indicators`,
//! each including this file with `#[path]`): a temporary SQLite file, or a uniquely named
//! PostgreSQL database created through KHAOSAT_TEST_POSTGRES_URL and dropped afterwards.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// A fresh database is created through this administrative connection URL.
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }
}

/// A throw-away database: a temporary SQLite file, or a uniquely named PostgreSQL database.
pub struct TempDb {
    pub url: String,
    /// (admin URL, database name) to drop at the end.
    postgres: Option<(String, String)>,
    /// Holds the SQLite file; removed with it when the `TempDb` is dropped.
    dir: tempfile::TempDir,
}

impl TempDb {
    /// `label` goes into the PostgreSQL database's name, so that a database left behind by a
    /// killed run says which benchmark made it.
    pub async fn create(backend: &Backend, label: &str) -> Result<TempDb, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
        match backend {
            Backend::Sqlite => Ok(TempDb {
                url: format!("sqlite://{}", dir.path().join("bench.db").display()),
                postgres: None,
                dir,
            }),
            Backend::Postgres(admin) => {
                let name = format!("khaosat_{label}_{}", uuid::Uuid::new_v4().simple());
                pg_exec(admin, &format!("CREATE DATABASE {name}")).await?;
                // The same server and credentials, another database.
                let url = match admin.rfind('/') {
                    Some(i) if i > "postgres://".len() => format!("{}/{name}", &admin[..i]),
                    _ => format!("{admin}/{name}"),
                };
                Ok(TempDb {
                    url,
                    postgres: Some((admin.clone(), name)),
                    dir,
                })
            }
        }
    }

    /// The SQLite file (None for PostgreSQL).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.postgres
            .is_none()
            .then(|| self.dir.path().join("bench.db"))
    }

    /// The database's size in bytes: the SQLite file with its WAL, or pg_database_size.
    pub async fn size(&self) -> Result<u64, String> {
        if let Some(path) = self.sqlite_path() {
            let wal = PathBuf::from(format!("{}-wal", path.display()));
            let len = |p: &PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
            return Ok(len(&path) + len(&wal));
        }
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.url)
            .await
            .map_err(|e| format!("connecting to the database: {e}"))?;
        let size = sqlx::query_scalar::<_, i64>("SELECT pg_database_size(current_database())")
            .fetch_one(&pool)
            .await
            .map_err(|e| format!("database size: {e}"));
        pool.close().await;
        size.map(|s| u64::try_from(s).unwrap_or(0))
    }

    /// Bytes each table takes with its indexes, largest first (SQLite: `dbstat` pages;
    /// PostgreSQL: `pg_total_relation_size`).
    // Only the sync harness prints them; the other benches share this file.
    #[allow(dead_code)]
    pub async fn table_sizes(&self) -> Result<Vec<(String, u64)>, String> {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.url)
            .await
            .map_err(|e| format!("connecting to the database: {e}"))?;
        let sql = if self.postgres.is_none() {
            "SELECT m.tbl_name, CAST(SUM(d.pgsize) AS BIGINT) FROM dbstat d
             JOIN sqlite_master m ON m.name = d.name GROUP BY m.tbl_name ORDER BY 2 DESC"
        } else {
            "SELECT CAST(relname AS TEXT), CAST(pg_total_relation_size(relid) AS BIGINT)
             FROM pg_catalog.pg_statio_user_tables ORDER BY 2 DESC"
        };
        let rows = sqlx::query_as::<_, (String, i64)>(sql)
            .fetch_all(&pool)
            .await
            .map_err(|e| format!("table sizes: {e}"));
        pool.close().await;
        Ok(rows?
            .into_iter()
            .map(|(t, n)| (t, u64::try_from(n).unwrap_or(0)))
            .collect())
    }

    /// Drops the PostgreSQL database; the SQLite directory goes when `self` is dropped.
    pub async fn remove(self) {
        if let Some((admin, name)) = &self.postgres {
            // FORCE: a pool left open (by the server, or an interrupted run) must not keep the
            // database alive.
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            match tokio::time::timeout(Duration::from_secs(60), pg_exec(admin, &sql)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("could not drop benchmark database {name}: {e}"),
                Err(_) => eprintln!("dropping benchmark database {name} timed out"),
            }
        }
    }
}

async fn pg_exec(admin_url: &str, sql: &str) -> Result<(), String> {
    use sqlx::Connection;
    let mut conn = sqlx::postgres::PgConnection::connect(admin_url)
        .await
        .map_err(|e| format!("connecting to KHAOSAT_TEST_POSTGRES_URL: {e}"))?;
    let result = sqlx::query(sql).execute(&mut conn).await;
    conn.close().await.ok();
    result.map(|_| ()).map_err(|e| format!("{sql}: {e}"))
}
