//! How long document writes hold the writer: from the moment a write transaction has its
//! connection (and, on PostgreSQL, the document's lock) until it committed. On SQLite that is
//! the time every other write waits for, so it is the figure the sync path is tuned on.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;
use utoipa::ToSchema;

/// Totals since the process started.
#[derive(Debug, Default)]
pub struct HeldTime {
    commits: AtomicU64,
    total_micros: AtomicU64,
    max_micros: AtomicU64,
}

/// The totals as read at one moment.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct WriterHeld {
    /// Document writes committed.
    pub commits: u64,
    /// Time they held the writer, summed (ms).
    pub held_ms_total: f64,
    /// The longest one (ms).
    pub held_ms_max: f64,
}

impl HeldTime {
    /// Counts a write that held the writer since `since`.
    pub fn record(&self, since: Instant) {
        let micros = u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.total_micros.fetch_add(micros, Ordering::Relaxed);
        self.max_micros.fetch_max(micros, Ordering::Relaxed);
    }

    pub fn read(&self) -> WriterHeld {
        WriterHeld {
            commits: self.commits.load(Ordering::Relaxed),
            held_ms_total: self.total_micros.load(Ordering::Relaxed) as f64 / 1000.0,
            held_ms_max: self.max_micros.load(Ordering::Relaxed) as f64 / 1000.0,
        }
    }
}
