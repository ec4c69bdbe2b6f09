//! Past days a batch restates. Figures "as of" a day are those of the document holding every
//! change observed up to the end of that day (`observed.rs`); a batch with changes observed
//! before today changes those days and every later day that has figures or on which a stored
//! change counts. Their figures are recounted here from the document itself, as it stood at the
//! end of each day.

use std::collections::{BTreeSet, HashMap};

use automerge::{AutoCommit, Automerge, Change, ChangeHash};

use crate::clock::{vietnam_date, vietnam_day_start};
use crate::store::{Counters, RestatedDay, Store};
use crate::survey::indicators::IndicatorRule;
use crate::survey::read::read_households;
use crate::sync::commit::runs::change_key;
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
    rules: &[(i64, IndicatorRule)],
    at: i64,
) -> Result<DayPlan, SyncError> {
    // Only dependencies outside the batch are stored (usually the heads it was made on); the
    // store names them by actor and sequence number.
    let inside: BTreeSet<ChangeHash> = changes.iter().map(Change::hash).collect();
    let deps: BTreeSet<ChangeHash> = changes
        .iter()
        .flat_map(|c| c.deps().iter())
        .filter(|d| !inside.contains(d))
        .copied()
        .collect();
    let mut keys = HashMap::new();
    for dep in deps {
        if let Some(c) = doc.get_change_by_hash(&dep) {
            keys.insert(change_key(&c), dep);
        }
    }
    let wanted: Vec<(String, i64)> = keys.keys().cloned().collect();
    let stored: HashMap<ChangeHash, i64> = store
        .observations_of(document_id, &wanted)
        .await?
        .into_iter()
        .filter_map(|(k, t)| keys.get(&k).map(|h| (*h, t)))
        .collect();
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
    let recorded = store.change_observations(document_id).await?;
    // Every later day on which a stored change counts is recounted too, not only the days with
    // a snapshot: a day whose figures once equalled the day before has none (nothing is stored
    // for an unchanged day), yet it differs from what this batch makes of an earlier day.
    days.extend(
        recorded
            .values()
            .map(|t| vietnam_date(*t).0)
            .filter(|d| *d >= first && *d < today),
    );
    let all = doc.get_changes(&[]);
    let mut times: HashMap<ChangeHash, i64> = all
        .iter()
        .filter_map(|c| recorded.get(&change_key(c)).map(|t| (c.hash(), *t)))
        .collect();
    for (c, t) in changes.iter().zip(&observed) {
        times.insert(c.hash(), *t);
    }
    let batch_times = observed.clone();
    let days: Vec<String> = days.into_iter().collect();
    let rules = rules.to_vec();
    let restated =
        tokio::task::spawn_blocking(move || recount(all, &times, &days, &batch_times, &rules))
            .await
            .map_err(|e| SyncError::Interrupted(format!("recounting past days stopped: {e}")))??;
    Ok(DayPlan { observed, restated })
}

/// Rebuilds the document day by day (each day applies the changes observed by its end) and
/// counts each day's households. A change with no recorded time counts from the beginning.
fn recount(
    mut all: Vec<Change>,
    times: &HashMap<ChangeHash, i64>,
    days: &[String],
    batch_times: &[i64],
    rules: &[(i64, IndicatorRule)],
) -> Result<Vec<RestatedDay>, SyncError> {
    let time_of = |c: &Change| times.get(&c.hash()).copied().unwrap_or(0);
    all.sort_by_key(|c| time_of(c));
    let mut doc = Automerge::new();
    let mut next = 0;
    let mut out = Vec::with_capacity(days.len());
    for day in days {
        let end = end_of(day)?;
        let upto = all[next..].partition_point(|c| time_of(c) < end) + next;
        doc.apply_changes(all[next..upto].iter().cloned())?;
        next = upto;
        let year = vietnam_date(end - 1).1;
        let households = read_households(&doc);
        out.push(RestatedDay {
            day: day.clone(),
            counters: Counters::tally(&households, i64::from(year) - 15),
            rules: IndicatorRule::count_all(rules, &households, i64::from(year)),
            late_changes: batch_times.iter().filter(|t| **t < end).count() as i64,
        });
    }
    Ok(out)
}

/// The first second after `day` (Vietnam time).
fn end_of(day: &str) -> Result<i64, SyncError> {
    vietnam_day_start(day)
        .map(|start| start + 24 * 3600)
        .ok_or_else(|| SyncError::Invalid(format!("'{day}' is not a day")))
}
