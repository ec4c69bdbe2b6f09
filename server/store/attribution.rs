//! Who sent which changes, and when each counts from, kept compact: one `doc_change_runs` row per
//! run of an actor's consecutive changes that one batch stored, each change's observation time
//! packed in the row as steps from the previous one. A change is named by its actor and sequence
//! number (the sync layer gets both from Automerge for any hash).

use std::collections::HashMap;

use sqlx::Row;

use super::documents::DocWrite;
use super::{Store, StoreError};

/// An actor's consecutive changes (`seq_first`, `seq_first + 1`, …) stored by one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRun {
    /// The actor, in hex.
    pub actor: String,
    pub seq_first: i64,
    /// When each change of the run counts from, in sequence order (the rule is the sync
    /// layer's: `sync::observed`); one entry per change, never empty.
    pub observed: Vec<i64>,
    /// The latest of the phone's own stamps on the run's changes.
    pub last_change_time: i64,
}

/// Observation times of stored changes by (actor in hex, sequence number).
pub type Observations = HashMap<(String, i64), i64>;

const RUN_COLUMNS: &str = "actor, seq_first, seq_last, observed_first, observed_steps";

impl DocWrite {
    /// Records the runs of accepted changes a batch brought, with who sent them.
    pub async fn record_change_runs(
        &mut self,
        runs: &[ChangeRun],
        user_id: Option<i64>,
        device_id: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        for batch in runs.chunks(100) {
            let rows: Vec<String> = (0..batch.len())
                .map(|i| {
                    let b = i * 10;
                    let params: Vec<String> = (1..=10).map(|k| self.backend.param(b + k)).collect();
                    format!("({})", params.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO doc_change_runs (document_id, actor, seq_first, seq_last, last_change_time,
                    observed_first, observed_steps, user_id, device_id, received_at)
                 VALUES {} ON CONFLICT (document_id, actor, seq_first) DO NOTHING",
                rows.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for r in batch {
                let seq_last = r.seq_first + r.observed.len().max(1) as i64 - 1;
                let first = r.observed.first().copied().unwrap_or(now);
                q = q
                    .bind(&self.document_id)
                    .bind(&r.actor)
                    .bind(r.seq_first)
                    .bind(seq_last)
                    .bind(r.last_change_time)
                    .bind(first)
                    .bind(encode_steps(&r.observed))
                    .bind(user_id)
                    .bind(device_id)
                    .bind(now);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// The phone time (Unix seconds) of an actor's latest change stored in this document.
    pub async fn latest_change_time(&mut self, actor: &str) -> Result<Option<i64>, StoreError> {
        let at = sqlx::query_scalar(
            "SELECT MAX(last_change_time) FROM doc_change_runs WHERE document_id = $1 AND actor = $2",
        )
        .bind(&self.document_id)
        .bind(actor)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(at)
    }
}

impl Store {
    /// Observation time of every recorded change of a document.
    pub async fn change_observations(&self, document_id: &str) -> Result<Observations, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM doc_change_runs WHERE document_id = $1 ORDER BY received_at DESC"
        ))
        .bind(document_id)
        .fetch_all(&self.pool)
        .await?;
        expand(&rows)
    }

    /// Observation times of some recorded changes of a document (the dependencies of a batch),
    /// each named by (actor in hex, sequence number).
    pub async fn observations_of(
        &self,
        document_id: &str,
        changes: &[(String, i64)],
    ) -> Result<Observations, StoreError> {
        let mut found = Observations::new();
        for batch in changes.chunks(200) {
            let tests: Vec<String> = (0..batch.len())
                .map(|i| {
                    let (a, s) = (i * 2 + 2, i * 2 + 3);
                    format!("(actor = ${a} AND seq_first <= ${s} AND seq_last >= ${s})")
                })
                .collect();
            let sql = format!(
                "SELECT {RUN_COLUMNS} FROM doc_change_runs WHERE document_id = $1 AND ({})
                 ORDER BY received_at DESC",
                tests.join(" OR ")
            );
            let mut q = sqlx::query(&sql).bind(document_id);
            for (actor, seq) in batch {
                q = q.bind(actor).bind(seq);
            }
            let rows = q.fetch_all(&self.pool).await?;
            let wanted: std::collections::HashSet<&(String, i64)> = batch.iter().collect();
            found.extend(
                expand(&rows)?
                    .into_iter()
                    .filter(|(k, _)| wanted.contains(k)),
            );
        }
        Ok(found)
    }
}

/// One time per change of the runs, newest received first: when two replicas stored the same
/// change, the earlier one (written last here) wins.
fn expand(rows: &[sqlx::any::AnyRow]) -> Result<Observations, StoreError> {
    let mut out = Observations::new();
    for r in rows {
        let actor: String = r.try_get(0)?;
        let seq_first: i64 = r.try_get(1)?;
        let seq_last: i64 = r.try_get(2)?;
        let first: i64 = r.try_get(3)?;
        let steps: String = r.try_get(4)?;
        let changes = usize::try_from(seq_last - seq_first + 1).unwrap_or(0);
        for (i, t) in decode_steps(first, &steps, changes).into_iter().enumerate() {
            out.insert((actor.clone(), seq_first + i as i64), t);
        }
    }
    Ok(out)
}

/// "12,0*3,5": each time after the first as its increase over the previous one, a step repeated
/// `n` times written once as `step*n` (a phone recording quickly makes long runs of equal steps).
fn encode_steps(times: &[i64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut steps = times.windows(2).map(|w| w[1] - w[0]).peekable();
    while let Some(step) = steps.next() {
        let mut n = 1;
        while steps.next_if_eq(&step).is_some() {
            n += 1;
        }
        parts.push(if n == 1 {
            step.to_string()
        } else {
            format!("{step}*{n}")
        });
    }
    parts.join(",")
}

/// The times of a run of `changes` changes back from its first and its steps (never more than
/// `changes` of them, whatever the text says). A step that cannot be read ends the run there
/// (logged): the changes after it have no recorded time and count from the beginning.
fn decode_steps(first: i64, steps: &str, changes: usize) -> Vec<i64> {
    let mut times = vec![first];
    if steps.is_empty() {
        return times;
    }
    for part in steps.split(',') {
        let (step, n) = part.split_once('*').unwrap_or((part, "1"));
        let (Ok(step), Ok(n)) = (step.parse::<i64>(), n.parse::<usize>()) else {
            tracing::warn!(
                part,
                "a stored observation step cannot be read; the rest of its run is undated"
            );
            break;
        };
        for _ in 0..n.min(changes.saturating_sub(times.len())) {
            times.push(times[times.len() - 1].saturating_add(step));
        }
    }
    times
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip() {
        for times in [
            vec![1_790_000_000],
            vec![1_790_000_000, 1_790_000_000, 1_790_000_012, 1_790_000_500],
            vec![5, 3, 9],
        ] {
            assert_eq!(
                decode_steps(times[0], &encode_steps(&times), times.len()),
                times
            );
        }
        assert_eq!(encode_steps(&[10, 22, 22]), "12,0");
        assert_eq!(encode_steps(&[10, 10, 10, 10, 13, 16, 17]), "0*3,3*2,1");
        assert_eq!(
            decode_steps(10, "0*3,3*2,1", 7),
            vec![10, 10, 10, 10, 13, 16, 17]
        );
        assert_eq!(decode_steps(10, "12,x,4", 3), vec![10, 22]);
        // A damaged row cannot make a run longer than its sequence numbers say.
        assert_eq!(decode_steps(10, "0*99999999999", 3), vec![10, 10, 10]);
    }
}
