//! Past days a batch restates. Figures "as of" a day are those of the document holding every
//! change observed up to the end of that day (`observed.rs`); a batch with changes observed
//! before today changes those days and every later day that already has figures. Their figures
//! are recounted here from the document itself, read as it stood at the end of each day.

use std::collections::{BTreeSet, HashMap, HashSet};

use automerge::{AutoCommit, Change, ChangeHash};

use crate::clock::{vietnam_date, vietnam_day_start};
use crate::store::{Counters, RestatedDay, Store};
use crate::survey::read::View;
use crate::sync::SyncError;

/// What a batch means for per-day figures: the observation time of each of its changes, and
/// the past days it restates with their recounted figures.
#[derive(Debug, Default)]
pub struct DayPlan {
    pub observed: Vec<i64>,
    pub restated: Vec<RestatedDay>,
}

/// Dates the batch `changes` (received at `at`) and recounts the past days they restate. Runs
/// before the write transaction: reading the observation times and recounting are the slow part
/// and need no lock on the database.
pub async fn plan(
    store: &Store,
    document_id: &str,
    village_code: &str,
    doc: &mut AutoCommit,
    changes: &[Change],
    at: i64,
) -> Result<DayPlan, SyncError> {
    // Only dependencies outside the batch are stored (usually the heads it was made on).
    let inside: BTreeSet<ChangeHash> = changes.iter().map(Change::hash).collect();
    let deps: BTreeSet<String> = changes
        .iter()
        .flat_map(|c| c.deps().iter())
        .filter(|d| !inside.contains(d))
        .map(|d| d.to_string())
        .collect();
    let deps: Vec<String> = deps.into_iter().collect();
    let stored = parse_hashes(store.observations_of(document_id, &deps).await?);
    let observed = crate::sync::observed::observe(changes, &stored, at);
    let today = vietnam_date(at).0;
    let mut days: BTreeSet<String> = observed
        .iter()
        .map(|t| vietnam_date(*t).0)
        .filter(|d| *d < today)
        .collect();
    let Some(first) = days.first().cloned() else {
        return Ok(DayPlan {
            observed,
            restated: Vec::new(),
        });
    };
    days.extend(store.snapshot_days(village_code, &first, &today).await?);
    let mut times = parse_hashes(store.change_observations(document_id).await?);
    for (c, t) in changes.iter().zip(&observed) {
        times.insert(c.hash(), *t);
    }
    // The recount reads a copy at each day's heads on a blocking thread, so neither this task's
    // worker nor the database waits on it (a copy costs far less than rebuilding the past).
    let graph: Vec<(ChangeHash, Vec<ChangeHash>)> = doc
        .get_changes(&[])
        .iter()
        .map(|c| (c.hash(), c.deps().to_vec()))
        .collect();
    let copy = doc.clone();
    let batch_times = observed.clone();
    let days: Vec<String> = days.into_iter().collect();
    let restated =
        tokio::task::spawn_blocking(move || recount(&copy, &graph, &times, &days, &batch_times))
            .await
            .map_err(|e| SyncError::Interrupted(format!("recounting past days stopped: {e}")))??;
    Ok(DayPlan { observed, restated })
}

fn parse_hashes(rows: Vec<(String, i64)>) -> HashMap<ChangeHash, i64> {
    rows.into_iter()
        .filter_map(|(h, t)| h.parse::<ChangeHash>().ok().map(|h| (h, t)))
        .collect()
}

/// Counts each day's households in the document as it stood at the end of that day: at the
/// heads of the changes observed by then. A change with no recorded time counts from the
/// beginning.
fn recount(
    doc: &AutoCommit,
    graph: &[(ChangeHash, Vec<ChangeHash>)],
    times: &HashMap<ChangeHash, i64>,
    days: &[String],
    batch_times: &[i64],
) -> Result<Vec<RestatedDay>, SyncError> {
    let time_of = |h: &ChangeHash| times.get(h).copied().unwrap_or(0);
    let mut out = Vec::with_capacity(days.len());
    for day in days {
        let end = end_of(day)?;
        let heads = heads_by(graph, |h| time_of(h) < end);
        let year = vietnam_date(end - 1).1;
        let view = View::at(doc, &heads);
        let households: Vec<_> = view
            .household_ids()
            .iter()
            .filter_map(|id| view.household(id))
            .collect();
        out.push(RestatedDay {
            day: day.clone(),
            counters: Counters::tally(&households, i64::from(year) - 15),
            late_changes: batch_times.iter().filter(|t| **t < end).count() as i64,
        });
    }
    Ok(out)
}

/// The heads of the changes `keep` selects (those none of the others depends on). Observation
/// times never decrease along dependencies, so a day's changes include all they depend on.
fn heads_by(
    graph: &[(ChangeHash, Vec<ChangeHash>)],
    keep: impl Fn(&ChangeHash) -> bool,
) -> Vec<ChangeHash> {
    let kept: Vec<&(ChangeHash, Vec<ChangeHash>)> = graph.iter().filter(|(h, _)| keep(h)).collect();
    let depended: HashSet<&ChangeHash> = kept.iter().flat_map(|(_, deps)| deps.iter()).collect();
    kept.iter()
        .map(|(h, _)| *h)
        .filter(|h| !depended.contains(h))
        .collect()
}

/// The first second after `day` (Vietnam time).
fn end_of(day: &str) -> Result<i64, SyncError> {
    vietnam_day_start(day)
        .map(|start| start + 24 * 3600)
        .ok_or_else(|| SyncError::Invalid(format!("'{day}' is not a day")))
}
