//! Durable storage. One `Store` type is the interface the rest of the server uses; the SQL it
//! runs is portable between the two backends, and what differs (connection set-up, migrations,
//! write serialisation, backup) lives in `sqlite.rs` and `postgres.rs`.

mod access_changes;
mod approvals;
mod assignments;
mod attribution;
mod batches;
mod conflicts;
mod counters;
mod documents;
mod figures;
mod held;
mod history;
mod households;
mod indicator_counts;
mod indicators;
mod placements;
mod postgres;
mod projection;
mod raw;
mod reform;
mod rows;
mod security;
mod send_backs;
mod sessions;
mod settings;
mod sign_in_codes;
mod sqlite;
mod stats;
mod surveys;
mod tally;
mod team;
mod units;
mod users;
mod weekly_reports;

use std::path::Path;

use sqlx::AnyPool;

pub use access_changes::{AccessChange, ACCESS_CHANNEL};
pub use approvals::ApprovalRow;
pub use assignments::{AssignmentRow, NewAssignment, ProgressRow};
pub use attribution::{ChangeRun, Observations};
pub use batches::{BatchRow, BatchSender};
pub use conflicts::{ActorOwner, ConflictRow};
pub use counters::{counter_columns, Counter, CounterDef, Counters, Counts, When, COUNTERS};
pub use documents::{DocWrite, VillageDocRow};
pub use figures::{SettledDay, VillageCounters};
pub use held::WriterHeld;
pub use history::{RestatedDay, RestatementRow};
pub use households::{AuditRow, ProjectionErrorRow};
pub use indicator_counts::{NewRuleIndicator, RuleCount, RuleRow, VillageRuleCounts};
pub use indicators::{CampaignRow, DeclaredRow, NewCampaignRow, NewDeclared, TargetRow};
pub use placements::PlacementRow;
pub use raw::RawHousehold;
pub use reform::{CodePeriodRow, ReformRow, ReformUnit, ReformWrite};
pub use rows::{Cell, HouseholdRow, PersonRow, HOUSEHOLD_FLAG_COLUMNS, PERSON_FLAG_COLUMNS};
pub use security::{AccessLogRow, NewAccess};
pub use send_backs::{HouseholdPlace, NewSendBack, OpenSendBack, SendBackRow};
pub use sessions::{RefreshOutcome, SessionRow};
pub use stats::IndicatorRow;
pub use surveys::{SurveyDraftRow, SurveyVersionRow};
pub use team::{NewMember, TeamDeviceRow};
pub use units::{NewUnit, UnitEventRow, UnitFilter, UnitRow};
pub use users::{NewUser, UserRow, UserUpdate};
pub use weekly_reports::{NewWeeklyReport, WeeklyReportRow};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A uniqueness rule was violated (e.g. a username or unit code that already exists).
    #[error("{0}")]
    Conflict(String),
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("backup failed: {0}")]
    Backup(String),
}

/// Which database engine backs the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The SQL function giving the position of a substring (`f(haystack, needle)`, 1-based, 0
    /// when absent).
    pub(crate) fn position_fn(self) -> &'static str {
        match self {
            Backend::Sqlite => "instr",
            Backend::Postgres => "strpos",
        }
    }

    /// The `n`th (1-based) bind parameter of a generated statement, parameters bound in the
    /// order they appear. SQLite gets a bare `?`: sqlx matches each `$n` by asking SQLite for
    /// every parameter's name, a linear scan, so binding a long multi-row INSERT is quadratic.
    pub(crate) fn param(self, n: usize) -> String {
        match self {
            Backend::Sqlite => "?".to_string(),
            Backend::Postgres => format!("${n}"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    /// Pool for reads (and for writes on PostgreSQL).
    pool: AnyPool,
    /// Pool for transactions that write. On SQLite it holds a single connection so writers queue
    /// in the pool instead of failing with SQLITE_BUSY; on PostgreSQL it is the same pool.
    writer: AnyPool,
    backend: Backend,
    /// Where access changes are announced to open sync connections.
    access: std::sync::Arc<access_changes::AccessBus>,
    /// Past days' figures already read (they change only through logged restatements).
    settled: std::sync::Arc<figures::SettledFigures>,
    /// How long document writes held the writer.
    held: std::sync::Arc<held::HeldTime>,
}

impl Store {
    /// Opens (creating and migrating when needed) the database named by `url`:
    /// `sqlite://PATH` (the default backend) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            postgres::connect(url).await?
        } else if url.starts_with("sqlite:") {
            sqlite::connect(url).await?
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("migrations/sqlite")
                    .run(&self.writer)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&self.writer)
                    .await?
            }
        }
        Ok(())
    }

    /// Round trip to the database, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Writes a consistent copy of the database to `dest` while the server keeps serving.
    pub async fn backup(&self, dest: &Path, source_url: &str) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => sqlite::backup(&self.writer, dest).await,
            Backend::Postgres => postgres::backup(source_url, dest).await,
        }
    }

    /// Waits for in-flight queries and closes every connection.
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// Maps a uniqueness violation to `StoreError::Conflict` with a message a person can act on.
fn conflict_or(err: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(message()),
        _ => StoreError::Database(err),
    }
}

/// Hides the password of a database URL before it reaches a log or an error message.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
