//! Timing for the benchmarks (each including this file with `#[path]`): median and p95 of
//! repeated runs.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Result;

#[derive(Clone, Copy)]
pub struct Stats {
    pub median: Duration,
    pub p95: Duration,
}

impl Stats {
    pub fn ms(&self) -> String {
        format!("{} / {} ms", fmt_ms(self.median), fmt_ms(self.p95))
    }
}

pub fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 1000.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

/// Runs `f` once to warm caches and prepare statements, then `runs` timed times.
pub async fn sample<F, Fut>(runs: u32, warm_up: bool, mut f: F) -> Result<Stats>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    if warm_up {
        f().await?;
    }
    let mut times = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        let t = Instant::now();
        f().await?;
        times.push(t.elapsed());
    }
    Ok(summarize(times))
}

/// Median and p95 of measured times (at least one).
pub fn summarize(mut times: Vec<Duration>) -> Stats {
    times.sort();
    // Nearest rank: the smallest time at or above 95% of the runs.
    let rank = ((times.len() as f64) * 0.95).ceil() as usize;
    Stats {
        median: times[times.len() / 2],
        p95: times[rank.max(1) - 1],
    }
}
