//! Bulk loading of the generated rows straight into `households` and `persons`, as fast as
//! each backend allows (the sync projection's one-row statements would take hours at 1M).

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteSynchronous};
use sqlx::{Connection, QueryBuilder, Sqlite};

use crate::population::Population;
use crate::rows::{Cell, Household, Person, Row};

/// SQLite: rows per multi-row INSERT (×23 columns stays under SQLite's 32,766 bound variables)
/// and rows per transaction (large enough that commits cost nothing, small enough that the WAL
/// is checkpointed as the load goes).
const SQLITE_BATCH: usize = 500;
const SQLITE_TX_ROWS: usize = 100_000;
/// PostgreSQL: bytes of COPY text sent at a time.
const COPY_CHUNK: usize = 1 << 20;

pub struct Loaded {
    pub households: u64,
    pub persons: u64,
    /// Wall time of generating and writing the rows.
    pub load: Duration,
    /// Part of `load` spent generating rows (on PostgreSQL it overlaps with the server's work).
    pub generate: Duration,
    /// PostgreSQL: VACUUM ANALYZE after the load (what autovacuum would soon do anyway).
    pub vacuum: Option<Duration>,
}

/// SQLite: one plain connection of our own (the store's writer is idle meanwhile), a large page
/// cache because the random UUID primary keys make every insert touch a random page.
pub async fn load_sqlite(file: &Path, pop: &Population, updated_at: i64) -> Result<Loaded> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .synchronous(SqliteSynchronous::Normal)
        .pragma("cache_size", "-524288")
        .busy_timeout(Duration::from_secs(30));
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let started = Instant::now();
    // Secondary indexes are dropped and rebuilt after the load (sorting once beats millions of
    // random B-tree inserts); their DDL is read back from the schema, so they come back exactly
    // as the migrations made them. The primary keys stay (SQLite cannot drop them).
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master
         WHERE type = 'index' AND tbl_name IN ('households', 'persons') AND sql IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await?;
    for (name, _) in &indexes {
        sqlx::query(&format!("DROP INDEX {name}"))
            .execute(&mut conn)
            .await?;
    }
    let mut generate = Duration::ZERO;
    let (mut households, mut persons) = (Vec::new(), Vec::new());
    let (mut nh, mut np) = (0u64, 0u64);
    let mut tx = conn.begin().await?;
    let mut rows_in_tx = 0;
    for v in 0..pop.villages.len() {
        let t = Instant::now();
        let (h, p) = pop.village_rows(v, updated_at);
        generate += t.elapsed();
        households.extend(h);
        persons.extend(p);
        let last = v + 1 == pop.villages.len();
        rows_in_tx += sqlite_flush(&mut tx, &mut households, last).await?;
        rows_in_tx += sqlite_flush(&mut tx, &mut persons, last).await?;
        if rows_in_tx >= SQLITE_TX_ROWS && !last {
            tx.commit().await?;
            tx = conn.begin().await?;
            rows_in_tx = 0;
        }
    }
    tx.commit().await?;
    for (_, sql) in &indexes {
        sqlx::query(sql).execute(&mut conn).await?;
    }
    for (table, n) in [("households", &mut nh), ("persons", &mut np)] {
        *n = sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut conn)
            .await? as u64;
    }
    let load = started.elapsed();
    conn.close().await?;
    Ok(Loaded {
        households: nh,
        persons: np,
        load,
        generate,
        vacuum: None,
    })
}

/// Inserts the full batches of `rows` (all of them when `all`) and keeps the rest; returns the
/// number written. Equal batch sizes mean one prepared statement, reused.
async fn sqlite_flush<R: Row>(
    conn: &mut SqliteConnection,
    rows: &mut Vec<R>,
    all: bool,
) -> Result<usize> {
    let n = if all {
        rows.len()
    } else {
        rows.len() / SQLITE_BATCH * SQLITE_BATCH
    };
    for chunk in rows[..n].chunks(SQLITE_BATCH) {
        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO {} ({}) ",
            R::TABLE,
            R::columns().join(", ")
        ));
        q.push_values(chunk, |mut b, row| {
            for cell in row.cells() {
                match cell {
                    Cell::Text(s) => b.push_bind(s),
                    Cell::Int(i) => b.push_bind(i),
                    Cell::Null => b.push_bind(None::<i64>),
                };
            }
        });
        q.build().execute(&mut *conn).await?;
    }
    rows.drain(..n);
    Ok(n)
}

/// PostgreSQL: two COPY streams on two connections (households, persons) fed as the rows are
/// generated, so the server parses and indexes while the next village is generated.
pub async fn load_postgres(url: &str, pop: &Population, updated_at: i64) -> Result<Loaded> {
    let mut hconn = PgConnection::connect(url).await?;
    let mut pconn = PgConnection::connect(url).await?;
    let started = Instant::now();
    // As on SQLite: secondary indexes (not the primary keys) are rebuilt after the load, from
    // their definitions as the migrations created them.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT indexname, indexdef FROM pg_indexes
         WHERE schemaname = current_schema() AND tablename IN ('households', 'persons')
           AND indexname NOT IN (SELECT conname FROM pg_constraint)",
    )
    .fetch_all(&mut hconn)
    .await?;
    for (name, _) in &indexes {
        sqlx::query(&format!("DROP INDEX {name}"))
            .execute(&mut hconn)
            .await?;
    }
    let copy =
        |cols: Vec<&str>, table: &str| format!("COPY {table} ({}) FROM STDIN", cols.join(", "));
    let mut hcopy = hconn
        .copy_in_raw(&copy(Household::columns(), Household::TABLE))
        .await?;
    let mut pcopy = pconn
        .copy_in_raw(&copy(Person::columns(), Person::TABLE))
        .await?;
    let mut generate = Duration::ZERO;
    let (mut hbuf, mut pbuf) = (
        Vec::with_capacity(2 * COPY_CHUNK),
        Vec::with_capacity(2 * COPY_CHUNK),
    );
    for v in 0..pop.villages.len() {
        let t = Instant::now();
        let (households, persons) = pop.village_rows(v, updated_at);
        for h in &households {
            copy_row(&mut hbuf, &h.cells());
        }
        for p in &persons {
            copy_row(&mut pbuf, &p.cells());
        }
        generate += t.elapsed();
        let last = v + 1 == pop.villages.len();
        if hbuf.len() >= COPY_CHUNK || (last && !hbuf.is_empty()) {
            hcopy.send(hbuf.as_slice()).await?;
            hbuf.clear();
        }
        if pbuf.len() >= COPY_CHUNK || (last && !pbuf.is_empty()) {
            pcopy.send(pbuf.as_slice()).await?;
            pbuf.clear();
        }
    }
    let households = hcopy.finish().await?;
    let persons = pcopy.finish().await?;
    for (_, sql) in &indexes {
        sqlx::query(sql).execute(&mut hconn).await?;
    }
    let load = started.elapsed();
    let t = Instant::now();
    sqlx::query("VACUUM ANALYZE households, persons")
        .execute(&mut hconn)
        .await?;
    let vacuum = t.elapsed();
    hconn.close().await?;
    pconn.close().await?;
    Ok(Loaded {
        households,
        persons,
        load,
        generate,
        vacuum: Some(vacuum),
    })
}

/// One line of COPY text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_row(buf: &mut Vec<u8>, cells: &[Cell]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            buf.push(b'\t');
        }
        match cell {
            Cell::Null => buf.extend_from_slice(b"\\N"),
            Cell::Int(v) => {
                write!(buf, "{v}").expect("writing to a Vec");
            }
            Cell::Text(s) => {
                for b in s.bytes() {
                    match b {
                        b'\\' => buf.extend_from_slice(b"\\\\"),
                        b'\t' => buf.extend_from_slice(b"\\t"),
                        b'\n' => buf.extend_from_slice(b"\\n"),
                        b'\r' => buf.extend_from_slice(b"\\r"),
                        _ => buf.push(b),
                    }
                }
            }
        }
    }
    buf.push(b'\n');
}
